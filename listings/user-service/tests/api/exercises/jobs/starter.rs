//! The starter: an ignored test that fails until you solve it.

use user_service::Jobs;
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app_with;

// ANCHOR: starter
/// A duplicate sign-up is refused and leaves no job: draining the queue
/// sends one welcome email, not two.
#[tokio::test]
#[ignore = "exercise starter: drain the queue, check what it sent"]
async fn a_refused_duplicate_leaves_no_job_for_the_worker() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;
    app.sign_up("ada@example.com").await;
    let duplicate = app
        .post_user(&serde_json::json!({
            "name": "Ada again",
            "email": "ADA@example.com"
        }))
        .await;
    assert_eq!(
        duplicate.status(),
        409,
        "the same address in capitals is a duplicate"
    );

    // Run the worker to completion here, as the chapter does, then check
    // how many emails it sent (and dropped as dead, and left to retry).
    todo!(
        "call worker::drain(app.pool(), &app.email_client()), \
         assert on its Progress"
    )
}
// ANCHOR_END: starter
