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

mod solution;
mod starter;
