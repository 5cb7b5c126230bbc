//! Waiting for background work: the sleep that fails, and three ways that
//! don't (polling with a deadline, a signal from the worker, a clock the test
//! controls).
//!
//! The worker in these tests waits at a gate before each send, and the test
//! holds the key. That is how the slow CI run you can't reproduce locally is
//! made to happen on every run: at the moment the test first looks, the email
//! is *never* sent yet.

use std::{sync::Arc, time::Duration};

use eventually::poll;
use tokio::sync::watch;
use user_service::{
    Jobs,
    worker::{Hooks, Progress, Settings, Worker, hook},
};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::{
    deadline::{DEADLINE, progress_reaches, within},
    helpers::{TestApp, spawn_app_with},
    manual_clock::ManualClock,
};

// ANCHOR: gate
/// A gate the worker waits at until the test opens it. A `watch` channel
/// rather than a `Notify`: once open it stays open, for every job and for
/// waiters that arrive after it opened.
#[derive(Clone)]
struct Gate(Arc<watch::Sender<bool>>);

impl Gate {
    fn closed() -> Gate {
        Gate(Arc::new(watch::Sender::new(false)))
    }

    fn open(&self) {
        self.0.send_replace(true);
    }

    async fn pass(&self) {
        let _ = self.0.subscribe().wait_for(|open| *open).await;
    }
}

/// An app that leaves emails to a worker running beside the test, held at
/// `gate` before every send. Also returns the worker's progress signal.
async fn app_with_gated_worker() -> (TestApp, Gate, watch::Receiver<Progress>) {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;
    let gate = Gate::closed();
    let held = gate.clone();
    let hooks = Hooks {
        before_send: Some(hook(move |_job| {
            let held = held.clone();
            async move { held.pass().await }
        })),
        ..Hooks::default()
    };
    let settings = Settings {
        idle_poll: Duration::from_millis(20),
        hooks,
        ..Settings::default()
    };
    let worker = Worker::new(app.pool().clone(), app.email_client(), settings);
    let progress = worker.progress();
    // Runs until the test ends and its runtime drops the task.
    tokio::spawn(async move { worker.run(std::future::pending()).await });
    (app, gate, progress)
}
// ANCHOR_END: gate

// ANCHOR: sleep_pitfall -- sleeping a fixed time for the worker fails whenever the worker is slower than the guess
// OUTPUT: output/sleep-pitfall.txt
// BROKEN ON PURPOSE: sleeps a fixed time, hoping the worker is done
/// Signs up, sleeps 200 ms "because the worker takes 5 ms", and expects the
/// email to be sent.
#[tokio::test]
#[ignore = "broken on purpose: sleeps a fixed time, hoping the worker is done"]
async fn sleeping_a_fixed_time_for_the_worker() {
    let (app, _gate, _progress) = app_with_gated_worker().await;
    let id = app.sign_up("ada@example.com").await;

    // Plenty, on my laptop.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let status = app.outbox_status(id).await;
    assert_eq!(
        status, "sent",
        "expected the welcome email sent 200 ms after sign-up, \
         but its outbox status is {status:?}"
    );
}

/// The sleeping test fails on every run, and for the stated reason: when it
/// looked, the email was still pending.
#[test]
fn sleeping_for_the_worker_fails_because_the_email_is_still_pending() {
    expect_failure::assert_fails_because(
        "flaky::sleeping_a_fixed_time_for_the_worker",
        &[
            "expected the welcome email sent 200 ms after sign-up",
            "outbox status is \"pending\"",
        ],
    );
}
// ANCHOR_END: sleep_pitfall

// ANCHOR: polling
// FIXES: flaky::sleeping_a_fixed_time_for_the_worker
/// The same held worker, waited for by polling the database until a deadline:
/// the first look sees "pending", and the test simply looks again.
#[tokio::test]
async fn polling_until_a_deadline_waits_as_long_as_the_worker_needs() {
    let (app, gate, _progress) = app_with_gated_worker().await;
    let id = app.sign_up("ada@example.com").await;
    assert_eq!(
        app.outbox_status(id).await,
        "pending",
        "the gate holds the worker, so the first look can't see it done"
    );

    gate.open();

    poll("the welcome email to be sent")
        .timeout(Duration::from_secs(10))
        .until(|| app.outbox_status(id), |status| status == "sent")
        .await;
}
// ANCHOR_END: polling

// ANCHOR: signal
/// The same held worker, waited for by its own signal: the test wakes the
/// moment the worker reports a sent email, without looking at the database.
#[tokio::test]
async fn waiting_for_the_workers_signal_needs_no_guess_either() {
    let (app, gate, mut progress) = app_with_gated_worker().await;
    let id = app.sign_up("ada@example.com").await;
    assert_eq!(
        progress.borrow().sent,
        0,
        "the gate holds the worker, so nothing is sent yet"
    );

    gate.open();

    // The deadline only turns "never" into a failure message (with the last
    // progress seen); a passing run returns as soon as the worker publishes.
    progress_reaches(
        &mut progress,
        Duration::from_secs(10),
        "the worker to report one sent email",
        |p| p.sent == 1,
    )
    .await;
    assert_eq!(
        app.outbox_status(id).await,
        "sent",
        "the worker records `sent` before it reports it"
    );
}
// ANCHOR_END: signal

// ANCHOR: backoff_clock
/// An email service that keeps failing: the worker tries again after 10 s,
/// then 20 s, and after the third attempt the job is dead with the last error
/// kept. The test moves the worker's clock; it waits for nothing.
#[tokio::test]
async fn a_failing_email_is_retried_after_growing_waits_then_dead() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(503).set_body_string("try later"))
        .expect(3)
        .mount(&app.email_server)
        .await;
    let clock = ManualClock::starting_now();
    let settings = Settings {
        clock: clock.clone(),
        max_attempts: 3,
        first_backoff: Duration::from_secs(10),
        ..Settings::default()
    };
    let worker = Worker::new(app.pool().clone(), app.email_client(), settings);
    let id = app.sign_up("ada@example.com").await;
    let retried = Progress {
        retried: 1,
        ..Progress::default()
    };
    let nothing = Progress::default();
    let tick = Duration::from_millis(1);

    assert_eq!(
        within(DEADLINE, "a drain", worker.drain()).await.unwrap(),
        retried,
        "attempt 1, at 0 s, fails"
    );
    clock.advance(Duration::from_secs(10) - tick);
    assert_eq!(
        within(DEADLINE, "a drain", worker.drain()).await.unwrap(),
        nothing,
        "not due again before 10 s"
    );
    clock.advance(tick);
    assert_eq!(
        within(DEADLINE, "a drain", worker.drain()).await.unwrap(),
        retried,
        "attempt 2, at 10 s, fails"
    );
    clock.advance(Duration::from_secs(20) - tick);
    assert_eq!(
        within(DEADLINE, "a drain", worker.drain()).await.unwrap(),
        nothing,
        "the wait doubled: not due before 20 s more"
    );
    clock.advance(tick);
    assert_eq!(
        within(DEADLINE, "a drain", worker.drain()).await.unwrap(),
        Progress { dead: 1, ..nothing },
        "attempt 3, at 30 s, was the last"
    );

    let (status, attempts, last_error) = app.outbox_row(id).await;
    assert_eq!((status.as_str(), attempts), ("dead", 3));
    let last_error = last_error.unwrap_or_default();
    assert!(
        last_error.contains("503") && last_error.contains("try later"),
        "expected the service's answer kept; got {last_error:?}"
    );
}
// ANCHOR_END: backoff_clock
