//! Testing background jobs three ways: run the worker inline in the test,
//! swap the queue for a fake that records, or start the real worker process.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use eventually::poll;
use sqlx::PgConnection;
use user_service::{
    Jobs,
    jobs::{Delivery, JobQueue, WelcomeEmail},
    worker::{self, Progress},
};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

use crate::{
    deadline::{DEADLINE, within},
    helpers::spawn_app_with,
    worker_process::spawn_worker,
};

// ANCHOR: drain_inline
/// With the email left to the worker, a sign-up sends nothing by itself;
/// draining the queue in the test sends exactly one welcome email.
#[tokio::test]
async fn draining_the_queue_in_the_test_sends_the_welcome_email() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let id = app.sign_up("ada@example.com").await;
    assert_eq!(
        app.outbox_status(id).await,
        "pending",
        "the request only records the job"
    );

    Mock::given(method("POST"))
        .and(path("/send"))
        .and(header("Idempotency-Key", format!("welcome-{id}")))
        .and(body_json(
            serde_json::json!({"to": "ada@example.com", "template": "welcome"}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;
    // The worker, run to completion on the test's own task: when this line
    // returns, the work is done. Nothing to wait for.
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
        "one job, sent"
    );
    assert_eq!(app.outbox_status(id).await, "sent");
}
// ANCHOR_END: drain_inline

// ANCHOR: fake_queue
/// A queue that records what the app enqueues and does nothing else.
#[derive(Default)]
struct RecordingQueue {
    jobs: Mutex<Vec<WelcomeEmail>>,
}

#[async_trait::async_trait]
impl JobQueue for RecordingQueue {
    async fn enqueue(
        &self,
        _tx: &mut PgConnection,
        job: &WelcomeEmail,
    ) -> Result<(), sqlx::Error> {
        self.jobs.lock().unwrap().push(job.clone());
        Ok(())
    }
}

/// A sign-up enqueues one welcome email for the new user, keyed by its id,
/// and a refused duplicate enqueues nothing.
#[tokio::test]
async fn a_sign_up_enqueues_one_welcome_email_and_a_duplicate_none() {
    let queue = Arc::new(RecordingQueue::default());
    let app = spawn_app_with(Jobs {
        queue: queue.clone(),
        delivery: Delivery::Worker,
        ..Jobs::default()
    })
    .await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&app.email_server)
        .await;

    let id = app.sign_up("Grace@Example.com").await;
    let duplicate = app
        .post_user(
            &serde_json::json!({"name": "Grace", "email": "grace@example.com"}),
        )
        .await;

    assert_eq!(duplicate.status(), 409);
    let enqueued = queue.jobs.lock().unwrap().clone();
    let expected = WelcomeEmail {
        user_id: id,
        recipient: "grace@example.com".into(),
        idempotency_key: format!("welcome-{id}"),
    };
    assert_eq!(
        enqueued,
        [expected],
        "exactly one job, for the normalised address"
    );
}
// ANCHOR_END: fake_queue

// ANCHOR: worker_process
/// The real worker binary, started as a process, sends the welcome email a
/// sign-up left; the test polls the database until it is sent.
#[tokio::test]
async fn a_worker_process_sends_the_welcome_email() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;
    let _worker = spawn_worker(&app, &[]);

    let id = app.sign_up("alan@example.com").await;

    // Another process works at its own pace: ask the database until the job
    // is done, or fail at a deadline far above what it ever needs.
    poll("the worker process to send the welcome email")
        .timeout(Duration::from_secs(30))
        .until(|| app.outbox_status(id), |status| status == "sent")
        .await;
}
// ANCHOR_END: worker_process

// ANCHOR: missing_setting
/// Started without its settings, the worker stops at once and says what is
/// missing and where the settings are documented.
#[tokio::test]
async fn the_worker_binary_names_a_missing_setting() {
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_worker"))
        .env_clear()
        .kill_on_drop(true) // if the deadline passes, no process is left
        .output();
    let output = within(DEADLINE, "the worker binary to exit", run)
        .await
        .expect("the worker binary runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "expected a failure exit without DATABASE_URL; stderr: {stderr}"
    );
    assert!(
        stderr.contains(
            "DATABASE_URL is not set; \
             see the doc comment at the top of src/bin/worker.rs"
        ),
        "expected the missing variable named; stderr: {stderr}"
    );
}
// ANCHOR_END: missing_setting
