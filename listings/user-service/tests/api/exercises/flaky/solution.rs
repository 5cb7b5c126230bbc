//! The solution: the same test, solved; `cargo test` runs it.

use std::time::Duration;

use eventually::poll;

use super::app_with_background_worker;

// ANCHOR: solution
/// A worker in the background sends the welcome email; the test waits
/// for it without a fixed sleep.
#[tokio::test]
async fn the_background_worker_sends_the_welcome_email() {
    let app = app_with_background_worker().await;

    let id = app.sign_up("ada@example.com").await;

    // Returns as soon as the worker is done; gives up, with the last status
    // seen, only after 10 s, far beyond any healthy run.
    poll("the welcome email to be sent")
        .timeout(Duration::from_secs(10))
        .until(|| app.outbox_status(id), |status| status == "sent")
        .await;
}
// ANCHOR_END: solution
