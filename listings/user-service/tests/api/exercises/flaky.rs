//! Exercise for "Flaky tests and how to kill them": wait for a worker running
//! in the background without guessing how long it takes.

use std::time::Duration;

use user_service::{
    Jobs,
    worker::{Settings, Worker},
};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::{TestApp, spawn_app_with};

/// An app that leaves emails to a worker running beside the test, as in
/// production: the test can't know when the worker gets to a job.
async fn app_with_background_worker() -> TestApp {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;
    let settings = Settings {
        idle_poll: Duration::from_millis(20),
        ..Settings::default()
    };
    let worker = Worker::new(app.pool().clone(), app.email_client(), settings);
    // Runs until the test ends and its runtime drops the task.
    tokio::spawn(async move { worker.run(std::future::pending()).await });
    app
}

mod starter {
    use super::app_with_background_worker;

    // ANCHOR: starter
    /// A worker in the background sends the welcome email; the test waits
    /// for it without a fixed sleep.
    #[tokio::test]
    #[ignore = "exercise starter: wait for the email with eventually::poll instead of the todo!()"]
    async fn the_background_worker_sends_the_welcome_email() {
        let app = app_with_background_worker().await;

        let id = app.sign_up("ada@example.com").await;

        // Checking `app.outbox_status(id)` right now would be a race. Hint:
        // `eventually::poll("…").timeout(…).until(probe, done)`.
        todo!(
            "wait until app.outbox_status({id}) says \"sent\", with a deadline"
        )
    }
    // ANCHOR_END: starter
}

mod solution {
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
}
