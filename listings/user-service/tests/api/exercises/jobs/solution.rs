//! The solution: the same test, solved; `cargo test` runs it.

use user_service::{
    Jobs,
    worker::{self, Progress},
};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app_with;

// ANCHOR: solution
/// A duplicate sign-up is refused and leaves no job: draining the queue
/// sends one welcome email, not two.
#[tokio::test]
async fn a_refused_duplicate_leaves_no_job_for_the_worker() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    // `expect(1)` says the same as the Progress below, from the other side
    // of the wire: the email service heard of one sign-up.
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
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

    let drained = worker::drain(app.pool(), &app.email_client())
        .await
        .expect("the queue drains");

    assert_eq!(
        drained,
        Progress {
            sent: 1,
            retried: 0,
            dead: 0
        },
        "one job, for the first sign-up only"
    );
}
// ANCHOR_END: solution
