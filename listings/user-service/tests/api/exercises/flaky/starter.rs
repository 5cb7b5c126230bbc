//! The starter: an ignored test that fails until you solve it.

use super::app_with_background_worker;

// ANCHOR: starter
/// A worker in the background sends the welcome email; the test waits
/// for it without a fixed sleep.
#[tokio::test]
#[ignore = "exercise starter: wait for the email with eventually::poll"]
async fn the_background_worker_sends_the_welcome_email() {
    let app = app_with_background_worker().await;

    let id = app.sign_up("ada@example.com").await;

    // Checking `app.outbox_status(id)` right now would be a race. Hint:
    // `eventually::poll("…").timeout(…).until(probe, done)`.
    todo!("wait until app.outbox_status({id}) says \"sent\", with a deadline")
}
// ANCHOR_END: starter
