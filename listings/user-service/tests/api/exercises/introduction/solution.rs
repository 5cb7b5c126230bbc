//! The solution: the same test, solved; `cargo test` runs it.

use serde_json::{Value, json};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

// ANCHOR: solution
/// When the email service is down, the sign-up still succeeds: the user is
/// kept and the welcome email waits in the outbox for a retry.
#[tokio::test]
async fn a_sign_up_while_email_is_down_keeps_the_user() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&app.email_server)
        .await;

    let response = app
        .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
        .await;

    // The client's part, creating the account, succeeded: 201.
    assert_eq!(
        response.status(),
        201,
        "status of a sign-up while the email service answers 503"
    );
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .expect("a 201 carries the new id");
    assert_eq!(
        app.user_count().await,
        1,
        "the user is kept although the email failed"
    );
    // The email is owed, not forgotten: the worker will retry it.
    assert_eq!(
        app.outbox_status(id).await,
        "pending",
        "outbox status of the welcome email that got a 503"
    );
}
// ANCHOR_END: solution
