//! The starter: an ignored test that fails until you solve it.

use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

use crate::helpers::spawn_retrying_app;

// ANCHOR: starter
/// The email service answers 503 to every try: the client stops after its
/// last attempt, and the welcome email is kept for later.
#[tokio::test]
#[ignore = "exercise starter: correct the two guesses"]
async fn a_service_that_stays_down_gets_every_attempt_and_no_more() {
    let email_server = MockServer::start().await;
    // Guess: the client gives up after the first 503.
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&email_server)
        .await;
    let app = spawn_retrying_app(&email_server.uri()).await;

    let user_id = app.sign_up("ada@example.com").await;

    let outbox = app.user_and_outbox(user_id).await;
    // Guess: an email the service refused is given up on.
    assert_eq!(outbox.status, "dead", "the welcome email's row: {outbox:?}");
}
// ANCHOR_END: starter
