//! The solution: the same test, solved; `cargo test` runs it.

use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::{builders::TestData, helpers::spawn_reporting_app};

// ANCHOR: solution
/// When the email service fails, the app's log line about it carries the
/// id of the sign-up request that caused it.
#[tokio::test]
async fn the_log_line_about_a_failed_email_names_the_request() {
    let app = spawn_reporting_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&app.email_server)
        .await;
    let mut data = TestData::new();

    let reply = app.post_user(&data.user().json()).await;

    assert_eq!(
        reply.status, 201,
        "a failed email doesn't fail the sign-up, got {}: {}",
        reply.status, reply.body
    );
    let id = reply.request_id();
    let logs = app.logs.text();
    let failed = logs.lines().find(|line| line.contains("retrying in"));
    assert!(
        failed.is_some_and(|line| line.contains(&format!("request_id={id}"))),
        "expected the log line about the failed email to carry \
         request_id={id}; the app logged:\n{logs}"
    );
}
// ANCHOR_END: solution
