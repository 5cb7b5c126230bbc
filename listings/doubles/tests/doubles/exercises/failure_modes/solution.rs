//! The solution: the same test, solved; `cargo test` runs it.

use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

use crate::helpers::{RETRIES, spawn_retrying_app};

// ANCHOR: solution
/// The email service answers 503 to every try: the client stops after its
/// last attempt, and the welcome email is kept for later.
#[tokio::test]
async fn a_service_that_stays_down_gets_every_attempt_and_no_more() {
    let email_server = MockServer::start().await;
    // Every attempt of the policy, the first included, and not one more:
    // checked when the server is dropped at the end of the test.
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(503))
        .expect(u64::from(RETRIES.max_attempts))
        .mount(&email_server)
        .await;
    let app = spawn_retrying_app(&email_server.uri()).await;

    let user_id = app.sign_up("ada@example.com").await;

    let outbox = app.user_and_outbox(user_id).await;
    // A 503 says "not now": the email stays owed, for the worker to retry.
    assert_eq!(
        outbox.status, "pending",
        "the welcome email's row: {outbox:?}"
    );
}
// ANCHOR_END: solution
