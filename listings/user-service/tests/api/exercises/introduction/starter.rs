//! The starter: an ignored test that fails until you solve it.

use serde_json::json;
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

// ANCHOR: starter
/// When the email service is down for maintenance, what does a sign-up do?
/// This test holds a guess. Read the policy at the top of
/// `listings/user-service/src/users.rs` and make the test state it.
#[tokio::test]
#[ignore = "exercise starter: fix the two guesses to match src/users.rs"]
async fn a_sign_up_while_email_is_down_keeps_the_user() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&app.email_server)
        .await;

    let response = app
        .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
        .await;

    // A guess: the sign-up fails because its email could not be sent…
    assert_eq!(
        response.status(),
        502,
        "status of a sign-up while the email service answers 503"
    );
    // …and so nobody was stored.
    assert_eq!(
        app.user_count().await,
        0,
        "users stored after a sign-up while the email service answers 503"
    );
}
// ANCHOR_END: starter
