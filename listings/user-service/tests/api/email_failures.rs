//! When the email service fails, the user is kept and the welcome email waits
//! in the outbox with the reason, for a retry. Nothing is half-written.

use serde_json::{Value, json};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::{EMAIL_TIMEOUT, spawn_app};

// ANCHOR: email_500
/// A 500 from the email service: the sign-up still succeeds, and the email is
/// left pending with the service's answer recorded.
#[tokio::test]
async fn an_email_service_error_keeps_the_user_and_leaves_the_email_pending() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(
            ResponseTemplate::new(500).set_body_string("mail queue full"),
        )
        .expect(1)
        .mount(&app.email_server)
        .await;

    let response = app
        .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
        .await;

    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, attempts, last_error) = app.outbox_row(id).await;
    assert_eq!((status.as_str(), attempts), ("pending", 1));
    let last_error = last_error.expect("the failure is recorded");
    assert!(
        last_error.contains("500") && last_error.contains("mail queue full"),
        "recorded: {last_error}"
    );
}
// ANCHOR_END: email_500

// ANCHOR: email_timeout
/// An email service slower than the app's timeout doesn't hold the sign-up
/// hostage: the app answers soon after its timeout and keeps the email pending.
#[tokio::test]
async fn a_slow_email_service_times_out_and_leaves_the_email_pending() {
    let app = spawn_app().await;
    let far_too_slow = EMAIL_TIMEOUT * 20;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200).set_delay(far_too_slow))
        .mount(&app.email_server)
        .await;

    // Bound the test's own wait: if the app had no timeout, this fails in
    // seconds with a clear message instead of hanging for the stub's delay.
    let response = tokio::time::timeout(
        far_too_slow / 2,
        app.post_user(&json!({"name": "Ada", "email": "ada@example.com"})),
    )
    .await
    .expect(
        "POST /users must answer long before the stub does: \
         is the email timeout applied?",
    );

    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _, last_error) = app.outbox_row(id).await;
    assert_eq!(status, "pending");
    assert!(
        last_error.unwrap().contains("too slow"),
        "the timeout is recorded as the reason"
    );
}
// ANCHOR_END: email_timeout
