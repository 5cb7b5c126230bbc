//! The solution: the same test, solved; `cargo test` runs it.

use serde_json::{Value, json};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

// ANCHOR: solution
/// The email service is sent the address as stored (trimmed, lower case),
/// not as the user typed it.
#[tokio::test]
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

    // `None` would mean request recording is off (it is on by default).
    let received = app
        .email_server
        .received_requests()
        .await
        .expect("the mock records requests");
    assert_eq!(
        received.len(),
        1,
        "requests to the email service: {received:?}"
    );
    let body: Value = received[0].body_json().expect("the client sends JSON");
    assert_eq!(
        body["to"], "ada@example.com",
        "the address in the request, whole body: {body}"
    );
}
// ANCHOR_END: solution
