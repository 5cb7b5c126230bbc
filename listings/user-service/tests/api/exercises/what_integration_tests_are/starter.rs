//! The starter: an ignored test that fails until you solve it.

use serde_json::json;
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

// ANCHOR: starter
/// A 201-character name is refused, and the refusal leaves no trace: no
/// user, no owed email, no call to the email service.
#[tokio::test]
#[ignore = "exercise starter: check nothing was written and nothing sent"]
async fn a_too_long_name_is_refused_and_leaves_no_trace() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;
    let too_long = "a".repeat(201);

    let response = app
        .post_user(&json!({"name": too_long, "email": "ada@example.com"}))
        .await;

    // The half a unit test of the validation could also check:
    assert_eq!(response.status(), 422, "status for a 201-character name");
    // The half only an integration test can check. Hints: `app.user_count()`,
    // a `SELECT count(*)` on `email_outbox`, and `.expect(0)` on a mock.
    todo!("check that no user, no outbox row and no email request exist")
}
// ANCHOR_END: starter
