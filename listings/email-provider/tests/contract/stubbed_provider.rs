//! The consumer's test against a wiremock stub: fast, and only as right as
//! the stub. Nothing here changes when the real provider changes.

use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

use crate::helpers::email_client;

// ANCHOR: stubbed
/// Against the stub, the client sends a welcome email and reads the receipt.
#[tokio::test]
async fn the_client_sends_a_welcome_email_to_the_stub() {
    let stub = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(header("Idempotency-Key", "welcome-1"))
        .and(body_json(
            json!({"to": "ada@example.com", "template": "welcome"}),
        ))
        // What we *believe* the provider answers. If its team renames the
        // field, this line goes on believing it.
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"message_id": "msg-1"})),
        )
        .expect(1)
        .mount(&stub)
        .await;

    let outcome = email_client(&stub.uri())
        .send("ada@example.com", "welcome", "welcome-1")
        .await;

    assert!(
        outcome.is_ok(),
        "the stub answers as the provider documents, but the client got \
         {outcome:?}"
    );
}
// ANCHOR_END: stubbed
