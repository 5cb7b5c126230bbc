//! A stand-in email service that honours idempotency keys the way the real
//! one promises to: the first request with a key sends the email, a repeat
//! with the same key is answered 200 and sends nothing. It counts both, so a
//! test can tell "retried" (two requests) from "sent twice" (two emails).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate, matchers::path,
};

// ANCHOR: idempotent_stub -- a stand-in that sends once per idempotency key and counts requests and emails apart
#[derive(Clone, Default)]
pub struct IdempotentEmailService {
    seen: Arc<Mutex<Seen>>,
    /// How long the *first* answer for a key takes. A long delay holds the
    /// caller mid-call, so a test can kill it there: the email went out, the
    /// answer never arrived. Repeats are answered at once.
    first_answer_delay: Duration,
}

#[derive(Default)]
struct Seen {
    requests_by_key: HashMap<String, u32>,
    /// (recipient, key) of every email actually sent.
    sent: Vec<(String, String)>,
}

impl Respond for IdempotentEmailService {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(key) = request
            .headers
            .get("Idempotency-Key")
            .and_then(|v| v.to_str().ok())
        else {
            return ResponseTemplate::new(400)
                .set_body_string("missing Idempotency-Key header");
        };
        let to = serde_json::from_slice::<Value>(&request.body)
            .ok()
            .and_then(|b| b["to"].as_str().map(str::to_owned));
        let mut seen = self.seen.lock().unwrap();
        let requests = seen.requests_by_key.entry(key.to_owned()).or_default();
        *requests += 1;
        let receipt = ResponseTemplate::new(200)
            .set_body_json(json!({"message_id": format!("msg-{key}")}));
        if *requests > 1 {
            return receipt; // a repeat: already sent, nothing more to do
        }
        seen.sent.push((to.unwrap_or_default(), key.to_owned()));
        receipt.set_delay(self.first_answer_delay)
    }
}

impl IdempotentEmailService {
    /// Mounts the service on `server`; the first answer per key takes
    /// `first_answer_delay`.
    pub async fn mount(
        server: &MockServer,
        first_answer_delay: Duration,
    ) -> Self {
        let service = IdempotentEmailService {
            first_answer_delay,
            ..Default::default()
        };
        Mock::given(path("/send"))
            .respond_with(service.clone())
            .mount(server)
            .await;
        service
    }

    /// Requests that carried `key`, repeats included.
    pub fn requests_with_key(&self, key: &str) -> u32 {
        self.seen
            .lock()
            .unwrap()
            .requests_by_key
            .get(key)
            .copied()
            .unwrap_or(0)
    }

    /// Emails really sent to `recipient`, repeats not counted.
    pub fn emails_sent_to(&self, recipient: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .sent
            .iter()
            .filter(|(to, _)| to == recipient)
            .count()
    }
}
// ANCHOR_END: idempotent_stub
