//! The starter: an ignored test that fails until you solve it.

use serde_json::json;
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

// ANCHOR: starter
/// The email service is sent the address as stored (trimmed, lower case),
/// not as the user typed it.
#[tokio::test]
#[ignore = "exercise starter: check the body the email service received"]
async fn the_email_service_receives_the_normalised_address() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;

    let response = app
        .post_user(&json!({"name": "Ada", "email": "  Ada@Example.COM "}))
        .await;
    assert_eq!(
        response.status(),
        201,
        "a sign-up with spaces and capitals is accepted"
    );

    // Hint: `app.email_server.received_requests()` returns every request the
    // mock got; `request.body_json::<serde_json::Value>()` parses one body.
    todo!("check one request arrived, with \"to\": ada@example.com")
}
// ANCHOR_END: starter
