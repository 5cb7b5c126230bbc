//! The solution: the same test, solved; `cargo test` runs it.

use serde_json::json;
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

// ANCHOR: solution
/// A 201-character name is refused, and the refusal leaves no trace: no
/// user, no owed email, no call to the email service.
#[tokio::test]
async fn a_too_long_name_is_refused_and_leaves_no_trace() {
    let app = spawn_app().await;
    // `expect(0)`: checked when `app` is dropped, so a stray email fails
    // the test.
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&app.email_server)
        .await;
    let too_long = "a".repeat(201);

    let response = app
        .post_user(&json!({"name": too_long, "email": "ada@example.com"}))
        .await;

    assert_eq!(response.status(), 422, "status for a 201-character name");
    assert_eq!(
        app.user_count().await,
        0,
        "users stored after a refused sign-up"
    );
    let owed: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(owed, 0, "emails owed after a refused sign-up");
}
// ANCHOR_END: solution
