//! `received_requests()`: every request the stub saw, for the assertions a
//! matcher can't express, such as a relation *between* requests.

use std::collections::HashSet;

use serde_json::{Value, json};
use user_service::email::RetryPolicy;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

use crate::{
    deadline::{DEADLINE, within},
    helpers::email_client_for_tests,
};

// ANCHOR: received
/// Three sign-ups, three emails, and no two of them share an idempotency key:
/// a shared key would make the email service drop a real email as a repeat.
/// A matcher looks at one request at a time, so it can't check this.
#[tokio::test]
async fn each_email_carries_its_own_idempotency_key() {
    let email_server = MockServer::start().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);
    let recipients =
        ["ada@example.com", "alan@example.com", "grace@example.com"];

    for (n, recipient) in recipients.iter().enumerate() {
        let key = format!("welcome-{n}");
        within(
            DEADLINE,
            "the email client's answer",
            client.send(recipient, "welcome", &key),
        )
        .await
        .expect("the stub accepts everything");
    }

    // `None` only if request recording was turned off on the builder.
    let requests = email_server
        .received_requests()
        .await
        .expect("recording is on by default");
    let keys: HashSet<&str> = requests
        .iter()
        .map(|r| {
            r.headers
                .get("Idempotency-Key")
                .expect("every send has a key")
                .to_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        keys.len(),
        recipients.len(),
        "expected one distinct key per email, saw {keys:?}"
    );
    // Order is kept, so the bodies can be checked against the inputs too.
    let sent_to: Vec<Value> = requests
        .iter()
        .map(|r| r.body_json::<Value>().unwrap()["to"].clone())
        .collect();
    assert_eq!(
        sent_to,
        recipients.map(|r| json!(r)),
        "emails must go out in sign-up order"
    );
}
// ANCHOR_END: received
