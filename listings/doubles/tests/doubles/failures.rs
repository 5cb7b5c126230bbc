//! The email service misbehaves; the app keeps its promise. For every
//! failure: the sign-up answers 201, the user is stored, and the welcome
//! email is either delivered once or left `pending` in the outbox with the
//! reason, for a later retry. Nothing is half-written, nothing is lost.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use wiremock::{
    Mock, MockServer, Request, Respond, ResponseTemplate, matchers::path,
};

use user_service::email::RetryPolicy;

use crate::helpers::{
    EMAIL_TIMEOUT, RETRIES, email_client_for_tests, spawn_retrying_app,
};

// ANCHOR: idempotent_stub
/// A stand-in that behaves like an email service that honours idempotency
/// keys: it delivers an email the first time it sees a key and only then,
/// and it can be told to lose its first answer (deliver, then reply 500),
/// the case that makes retries dangerous.
#[derive(Clone, Default)]
struct IdempotentInbox {
    delivered_keys: Arc<Mutex<HashSet<String>>>,
    deliveries: Arc<Mutex<u32>>,
    fail_first_answer: bool,
    answered: Arc<Mutex<u32>>,
}

impl IdempotentInbox {
    fn deliveries(&self) -> u32 {
        *self.deliveries.lock().unwrap()
    }
}

impl Respond for IdempotentInbox {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Some(key) = request
            .headers
            .get("Idempotency-Key")
            .and_then(|k| k.to_str().ok())
        else {
            return ResponseTemplate::new(400)
                .set_body_string("missing Idempotency-Key");
        };
        // A key seen before is a repeat: acknowledge it, send nothing.
        if self.delivered_keys.lock().unwrap().insert(key.to_owned()) {
            *self.deliveries.lock().unwrap() += 1;
        }
        let mut answered = self.answered.lock().unwrap();
        *answered += 1;
        if self.fail_first_answer && *answered == 1 {
            return ResponseTemplate::new(500)
                .set_body_string("delivered, but the answer was lost");
        }
        ResponseTemplate::new(202).set_body_json(
            serde_json::json!({"message_id": format!("m-{key}")}),
        )
    }
}
// ANCHOR_END: idempotent_stub

// ANCHOR: retry_500
// FIXES: failures::broken_a_retry_with_a_fresh_key_per_attempt_sends_two_emails
/// The service delivers the email but answers 500; the client retries with
/// the same key, the service recognises it, and Ada gets one email, not two.
#[tokio::test]
async fn a_500_then_a_200_delivers_one_email_not_two() {
    let email_server = MockServer::start().await;
    let inbox = IdempotentInbox {
        fail_first_answer: true,
        ..Default::default()
    };
    Mock::given(path("/send"))
        .respond_with(inbox.clone())
        .expect(2)
        .mount(&email_server)
        .await;
    let app = spawn_retrying_app(&email_server.uri()).await;

    let user_id = app.sign_up("ada@example.com").await;

    let outbox = app.user_and_outbox(user_id).await;
    assert_eq!(
        outbox.status, "sent",
        "the retry succeeded, so the outbox must say sent; row: {outbox:?}"
    );
    assert_eq!(
        outbox.attempts, 1,
        "the client's retries happen within one delivery round; row: {outbox:?}"
    );
    assert_eq!(
        inbox.deliveries(),
        1,
        "one email must reach Ada, not one per attempt"
    );
    let requests = email_server.received_requests().await.unwrap();
    let keys: Vec<_> = requests
        .iter()
        .map(|r| r.headers["Idempotency-Key"].to_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [outbox.idempotency_key.as_str(); 2],
        "both attempts must carry the outbox's key"
    );
}
// ANCHOR_END: retry_500

// ANCHOR: retry_fresh_key -- a new key per attempt delivers the email twice
/// A retry loop written around the client, making up a fresh key for each try.
// BROKEN ON PURPOSE: each attempt carries a new idempotency key, so the
// service can't tell the retry from a second email.
// OUTPUT: output/broken-fresh-key-retry.txt
#[ignore = "broken on purpose: each attempt carries a new idempotency key, \
            so Ada gets two emails"]
#[tokio::test]
async fn broken_a_retry_with_a_fresh_key_per_attempt_sends_two_emails() {
    let email_server = MockServer::start().await;
    // Delivers, then loses its answer: the case where a retry is dangerous.
    let inbox = IdempotentInbox {
        fail_first_answer: true,
        ..Default::default()
    };
    Mock::given(path("/send"))
        .respond_with(inbox.clone())
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    for attempt in 1..=2 {
        // The mistake: a new key for every attempt.
        let key = format!("welcome-ada-attempt-{attempt}");
        if client
            .send("ada@example.com", "welcome", &key)
            .await
            .is_ok()
        {
            break;
        }
    }

    assert_eq!(
        inbox.deliveries(),
        1,
        "one email must reach Ada, not one per attempt"
    );
}

/// The fresh-key retry fails because the inbox counts two deliveries.
#[test]
fn a_retry_with_a_fresh_key_per_attempt_sends_two_emails() {
    expect_failure::assert_fails_because(
        "failures::broken_a_retry_with_a_fresh_key_per_attempt_\
         sends_two_emails",
        &[
            "one email must reach Ada, not one per attempt",
            "left: 2",
            "right: 1",
        ],
    );
}
// ANCHOR_END: retry_fresh_key

// ANCHOR: too_slow
/// A service slower than the timeout: every attempt is cut off, the client
/// stops after its last retry, and the email waits in the outbox.
#[tokio::test]
async fn a_service_slower_than_the_timeout_leaves_the_email_pending() {
    let email_server = MockServer::start().await;
    // 100 times the client's timeout: no busy machine makes the stub look fast.
    let far_too_slow = EMAIL_TIMEOUT * 100;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(202).set_delay(far_too_slow))
        .expect(u64::from(RETRIES.max_attempts))
        .mount(&email_server)
        .await;
    let app = spawn_retrying_app(&email_server.uri()).await;

    // Bound the test's own wait. Three timeouts plus back-off take about 1 s;
    // without a client timeout the sign-up would wait the stub's 30 s, and
    // this fails at 5 s with a message instead of hanging.
    let user_id = tokio::time::timeout(
        Duration::from_secs(5),
        app.sign_up("ada@example.com"),
    )
    .await
    .expect("the sign-up must answer within 5 s: is the client's timeout set?");

    let outbox = app.user_and_outbox(user_id).await;
    assert_eq!(
        outbox.status, "pending",
        "a timed-out email must wait for a retry; row: {outbox:?}"
    );
    let reason = outbox.last_error.unwrap_or_default();
    assert!(
        reason.contains("too slow"),
        "the outbox must record the timeout, recorded: {reason:?}"
    );
}
// ANCHOR_END: too_slow

// ANCHOR: not_json
/// A 200 with an HTML page where the JSON receipt belongs (say the base URL
/// points at a proxy's login page): the app can't tell whether an email left,
/// so it doesn't mark it sent. It stays pending; the key makes a retry safe.
#[tokio::test]
async fn a_200_with_html_instead_of_a_receipt_leaves_the_email_pending() {
    let email_server = MockServer::start().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "<html><body>Please log in</body></html>",
            "text/html",
        ))
        // Not retried: a wrong answer will be wrong again a second later.
        .expect(1)
        .mount(&email_server)
        .await;
    let app = spawn_retrying_app(&email_server.uri()).await;

    let user_id = app.sign_up("ada@example.com").await;

    let outbox = app.user_and_outbox(user_id).await;
    assert_eq!(
        outbox.status, "pending",
        "an unreadable answer is not proof of delivery; row: {outbox:?}"
    );
    let reason = outbox.last_error.unwrap_or_default();
    assert!(
        reason.contains("not a JSON receipt"),
        "the outbox must say why, recorded: {reason:?}"
    );
}
// ANCHOR_END: not_json

// ANCHOR: closed_port
/// Nothing listens where the email service should be: the connection is
/// refused at once, each retry too, and the email waits in the outbox.
#[tokio::test]
async fn a_closed_port_leaves_the_email_pending() {
    // Bind port 0 to get a port the OS just handed out, then close it, so
    // nothing listens there. (Another process could take it in between;
    // on a test machine that is rare, and the test would then fail loudly.)
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let app = spawn_retrying_app(&closed).await;

    let user_id = tokio::time::timeout(
        Duration::from_secs(5),
        app.sign_up("ada@example.com"),
    )
    .await
    .expect("a refused connection must fail fast, not hang the sign-up");

    let outbox = app.user_and_outbox(user_id).await;
    assert_eq!(
        outbox.status, "pending",
        "an unreachable service means the email waits; row: {outbox:?}"
    );
    let reason = outbox.last_error.unwrap_or_default();
    assert!(
        reason.contains("unreachable"),
        "the outbox must record the failure, recorded: {reason:?}"
    );
}
// ANCHOR_END: closed_port
