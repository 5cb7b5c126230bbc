//! Nothing lost, nothing twice: a worker killed mid-job, two workers claiming
//! at the same instant, and a lease that runs out.

use std::{
    future::ready,
    sync::{Arc, Mutex},
    time::{Duration, UNIX_EPOCH},
};

use eventually::poll;
use tokio::sync::{Notify, oneshot};
use user_service::{
    Jobs,
    clock::Clock,
    email::EmailClient,
    worker::{self, Hook, Hooks, Outcome, Progress, Settings, hook},
};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

use crate::{
    deadline::{DEADLINE, within},
    email_stub::IdempotentEmailService,
    helpers::{EMAIL_TIMEOUT, TestApp, spawn_app_with},
    manual_clock::ManualClock,
    worker_process::spawn_worker,
};

// ANCHOR: kill_mid_job
/// A worker killed while the email service is still answering its call: the
/// next worker takes the job once the lease runs out, and the user gets one
/// email — two requests with one key, one email.
#[tokio::test]
async fn a_worker_killed_mid_job_loses_nothing_and_sends_nothing_twice() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    // The first answer per key takes a minute: the first worker is inside
    // its call, waiting, when it is killed.
    let email_service = IdempotentEmailService::mount(
        &app.email_server,
        Duration::from_secs(60),
    )
    .await;
    let id = app.sign_up("ada@example.com").await;
    let key = format!("welcome-{id}");
    // A 1 s lease, so the job is free soon after the kill; a 2-minute email
    // timeout, so the first worker can't give up on its own before we kill it.
    let settings =
        [("WORKER_LEASE_MS", "1000"), ("EMAIL_TIMEOUT_MS", "120000")];

    let mut first = spawn_worker(&app, &settings);
    first
        .wait_for_line(&format!("key {key},"), Duration::from_secs(30))
        .await;
    // It prints the claim before it calls; kill it only once the call has
    // arrived, so it dies where it hurts: email sent, answer not received.
    poll("the first worker's call to reach the email service")
        .until(
            || ready(email_service.requests_with_key(&key)),
            |requests| *requests == 1,
        )
        .await;
    first.kill().await;

    let _second = spawn_worker(&app, &settings);
    poll("the second worker to finish the job")
        .timeout(Duration::from_secs(30))
        .until(|| app.outbox_status(id), |status| status == "sent")
        .await;

    assert_eq!(
        email_service.requests_with_key(&key),
        2,
        "expected one call from each worker, with the same key"
    );
    assert_eq!(
        email_service.emails_sent_to("ada@example.com"),
        1,
        "expected the repeat to send no second email"
    );
    let attempts: i32 = sqlx::query_scalar(
        "SELECT attempts FROM email_outbox WHERE user_id = $1",
    )
    .bind(id)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(
        attempts, 2,
        "the killed attempt counts: \
         a job that kills every worker must die eventually"
    );
}
// ANCHOR_END: kill_mid_job

// ANCHOR: stop_once -- a hook that stops the worker the first time it is reached and says where
/// A hook that stops the worker the first time it is reached: it reports the
/// job's id (oneshot: one message, once) and waits to be released (Notify: a
/// `notify_one` sent before anyone waits leaves a permit, so the release can't
/// be lost). Later calls pass straight through.
fn stop_once() -> (Hook, oneshot::Receiver<i64>, Arc<Notify>) {
    let (reached_tx, reached) = oneshot::channel();
    let reached_tx = Mutex::new(Some(reached_tx));
    let release = Arc::new(Notify::new());
    let released = release.clone();
    let hook = hook(move |job_id| {
        let first = reached_tx.lock().unwrap().take();
        let released = released.clone();
        async move {
            if let Some(reached_tx) = first {
                let _ = reached_tx.send(job_id);
                released.notified().await;
            }
        }
    });
    (hook, reached, release)
}
// ANCHOR_END: stop_once

// ANCHOR: interleaving
/// Worker A has locked job X and not yet committed its claim; worker B,
/// claiming at that very moment, gets the other job: not X, and without
/// waiting for A.
#[tokio::test]
async fn two_workers_claiming_at_the_same_moment_take_different_jobs() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    app.sign_up("ada@example.com").await;
    app.sign_up("grace@example.com").await;
    let (stop_a, a_stopped, release_a) = stop_once();
    let worker_a = Settings {
        name: "worker-a".into(),
        hooks: Hooks {
            while_claiming: Some(stop_a),
            ..Hooks::default()
        },
        ..Settings::default()
    };
    let worker_b = Settings {
        name: "worker-b".into(),
        ..Settings::default()
    };

    let pool = app.pool().clone();
    let claim_a =
        tokio::spawn(async move { worker::claim_next(&pool, &worker_a).await });
    let locked_by_a = within(DEADLINE, "worker A to reach its hook", a_stopped)
        .await
        .expect("worker A reaches its hook");

    // A holds the row lock on `locked_by_a` right now, mid-transaction.
    let claimed_by_b = tokio::time::timeout(
        Duration::from_secs(10),
        worker::claim_next(app.pool(), &worker_b),
    )
    .await
    .expect("B must not wait for A's lock: SKIP LOCKED passes over it")
    .unwrap()
    .expect("B finds the other pending job");
    release_a.notify_one();
    let claimed_by_a =
        within(DEADLINE, "worker A to finish its claim", claim_a)
            .await
            .unwrap()
            .unwrap()
            .expect("A completes the claim it started");

    assert_ne!(
        claimed_by_b.id, locked_by_a,
        "B took the job A was claiming"
    );
    assert_eq!(
        claimed_by_a.id, locked_by_a,
        "A ends up with the job it locked"
    );
    let third = worker::claim_next(app.pool(), &Settings::default())
        .await
        .unwrap();
    assert_eq!(
        third, None,
        "both jobs are leased now; nothing is left to claim"
    );
}
// ANCHOR_END: interleaving

// ANCHOR: inline_and_worker
/// While a sign-up's inline attempt holds the job, a worker draining the queue
/// finds nothing to do: the welcome email is sent once, by the request.
#[tokio::test]
async fn an_inline_attempt_and_a_worker_never_both_send() {
    let (stop_request, request_stopped, release_request) = stop_once();
    let claims = Settings {
        hooks: Hooks {
            before_send: Some(stop_request),
            ..Hooks::default()
        },
        ..Settings::default()
    };
    let app = spawn_app_with(Jobs {
        claims,
        ..Jobs::default()
    })
    .await; // Delivery::Inline
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;

    // The request runs on its own task, so the test can act while it is
    // stopped.
    let sign_up = app
        .http
        .post(format!("{}/users", app.address))
        .json(&serde_json::json!({"name": "Ada", "email": "ada@example.com"}))
        .send();
    let signing_up = tokio::spawn(sign_up);
    within(DEADLINE, "the request to reach its hook", request_stopped)
        .await
        .expect("the request claims the job and reaches its hook");

    // The request holds the claim and is about to send: the worker must
    // keep out.
    let drained = worker::drain(app.pool(), &app.email_client())
        .await
        .unwrap();
    assert_eq!(
        drained,
        Progress::default(),
        "expected the worker to find nothing due \
         while the request holds the job"
    );

    release_request.notify_one();
    let response = within(DEADLINE, "the sign-up's answer", signing_up)
        .await
        .unwrap()
        .expect("the app answers");
    assert_eq!(response.status(), 201);
    let id = response.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.outbox_status(id).await,
        "sent",
        "the request sent it; the stub's expect(1) checks it was the only send"
    );
}
// ANCHOR_END: inline_and_worker

// ANCHOR: lease
/// A job whose worker claimed it and then went silent is not taken again
/// before its lease runs out, and is taken, as attempt 2, right when it does.
#[tokio::test]
async fn a_silent_workers_job_is_taken_again_when_its_lease_runs_out() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    app.sign_up("ada@example.com").await;
    let clock = ManualClock::starting_now();
    let settings = Settings {
        clock: clock.clone(),
        lease: Duration::from_secs(30),
        ..Settings::default()
    };

    let abandoned = worker::claim_next(app.pool(), &settings)
        .await
        .unwrap()
        .expect("the job is due");
    // Its worker "dies" here: it never sends, renews or records anything.

    clock.advance(Duration::from_secs(30) - Duration::from_millis(1));
    let too_early = worker::claim_next(app.pool(), &settings).await.unwrap();
    assert_eq!(
        too_early, None,
        "the job is leased for 30 s; nobody may take it before"
    );

    clock.advance(Duration::from_millis(1));
    let retaken = worker::claim_next(app.pool(), &settings)
        .await
        .unwrap()
        .expect("the lease ran out; the job is free");
    assert_eq!(
        (retaken.id, retaken.attempt),
        (abandoned.id, 2),
        "the same job, on its second attempt"
    );
}
// ANCHOR_END: lease

/// A job whose every attempt vanishes with its worker is not retried forever:
/// once its attempts are used up, the next claim marks it dead and says why.
#[tokio::test]
async fn a_job_that_kills_every_worker_ends_up_dead() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let id = app.sign_up("ada@example.com").await;
    let clock = ManualClock::starting_now();
    let settings = Settings {
        clock: clock.clone(),
        max_attempts: 2,
        ..Settings::default()
    };

    for attempt in 1..=2 {
        let claim = worker::claim_next(app.pool(), &settings);
        let job = within(DEADLINE, "a claim", claim).await.unwrap();
        assert_eq!(
            job.map(|j| j.attempt),
            Some(attempt),
            "attempt {attempt} claims the job"
        );
        clock.advance(settings.lease); // and its worker vanishes
    }
    // A claim that can't bury the job would pick it again and again: the
    // deadline turns that loop into a failure.
    let claim = worker::claim_next(app.pool(), &settings);
    let third = within(DEADLINE, "the third claim", claim).await.unwrap();

    assert_eq!(third, None, "no third attempt after max_attempts = 2");
    assert_eq!(app.outbox_status(id).await, "dead");
    let last_error: Option<String> = sqlx::query_scalar(
        "SELECT last_error FROM email_outbox WHERE user_id = $1",
    )
    .bind(id)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert!(
        last_error
            .unwrap_or_default()
            .contains("never reported back"),
        "the reason is recorded for whoever looks"
    );
}

/// A worker that claimed a job has it to itself: the inline attempt's claim,
/// which takes only jobs nobody has touched, finds nothing to take.
#[tokio::test]
async fn the_inline_claim_leaves_alone_a_job_a_worker_holds() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let id = app.sign_up("ada@example.com").await;
    let settings = Settings::default();
    worker::claim_next(app.pool(), &settings)
        .await
        .unwrap()
        .expect("a worker claims the job first");

    let key = format!("welcome-{id}");
    let second = worker::claim_fresh(app.pool(), &settings, &key)
        .await
        .unwrap();

    assert_eq!(
        second, None,
        "the worker holds the job; the request keeps out"
    );
}

/// The lease of the job with this user's email, and whether it ends after
/// `moment`, as (locked_until as text, ends later).
pub(crate) async fn lease_ends_after(
    app: &TestApp,
    user_id: i64,
    moment: std::time::SystemTime,
) -> (Option<String>, bool) {
    let seconds = moment.duration_since(UNIX_EPOCH).unwrap().as_secs_f64();
    sqlx::query_as(
        "SELECT locked_until::text, \
                coalesce(locked_until > to_timestamp($2), false) \
         FROM email_outbox WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(seconds)
    .fetch_one(app.pool())
    .await
    .unwrap()
}

// ANCHOR: heartbeat -- a send that outlasts the lease keeps its job, because the heartbeat renews the lease
/// A worker whose email call takes far longer than its lease keeps the job:
/// its heartbeat renews the lease, so a second worker finds nothing to claim.
#[tokio::test]
async fn a_slow_send_keeps_its_job_because_the_heartbeat_renews_the_lease() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let id = app.sign_up("ada@example.com").await;
    // The stub stalls: the call is in flight for as long as the test runs.
    Mock::given(path("/send"))
        .respond_with(
            ResponseTemplate::new(200).set_delay(Duration::from_secs(600)),
        )
        .mount(&app.email_server)
        .await;
    let patient = Arc::new(EmailClient::new(
        app.email_server.uri().parse().unwrap(),
        Duration::from_secs(600),
    ));
    // Leases on a clock the test moves; the heartbeat itself ticks in real
    // time, every third of the lease: every second here.
    let clock = ManualClock::starting_now();
    let settings = Settings {
        clock: clock.clone(),
        lease: Duration::from_secs(3),
        ..Settings::default()
    };
    let job = worker::claim_next(app.pool(), &settings)
        .await
        .unwrap()
        .expect("the job is due");
    let (pool, slow) = (app.pool().clone(), settings.clone());
    let sending = tokio::spawn(async move {
        worker::process(&pool, &patient, &slow, &job).await
    });
    poll("the worker's call to reach the email service")
        .until(
            || async {
                let received = app.email_server.received_requests().await;
                received.map_or(0, |requests| requests.len())
            },
            |calls| *calls == 1,
        )
        .await;

    // Ten leases pass on the worker's clock while the call is in flight.
    clock.advance(settings.lease * 10);
    let now = clock.now();
    // A renewal must come before a real lease has passed, or another worker
    // could take the job in between: that is the poll's deadline.
    poll("the heartbeat to renew the lease past the clock's new time")
        .timeout(settings.lease)
        .until(|| lease_ends_after(&app, id, now), |(_, later)| *later)
        .await;

    let second = worker::claim_next(app.pool(), &settings).await.unwrap();
    assert_eq!(second, None, "the slow worker still holds the job");
    sending.abort();
}
// ANCHOR_END: heartbeat

// ANCHOR: fencing -- a worker that lost its lease can't overwrite the outcome of the attempt after it
/// A worker frozen past its lease wakes up, fails, and tries to record a
/// retry: the attempt that took the job over already sent it, and its
/// `sent` stands.
#[tokio::test]
async fn a_stale_worker_cannot_overwrite_a_later_attempts_outcome() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let id = app.sign_up("ada@example.com").await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;
    // The stale worker's calls fail, so its outcome differs from the later
    // attempt's, and an overwrite would show.
    let failing_service = MockServer::start().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&failing_service)
        .await;
    let failing = Arc::new(EmailClient::new(
        failing_service.uri().parse().unwrap(),
        EMAIL_TIMEOUT,
    ));
    let clock = ManualClock::starting_now();
    let settings = Settings {
        clock: clock.clone(),
        ..Settings::default()
    };

    let stale = worker::claim_next(app.pool(), &settings).await.unwrap();
    let stale = stale.expect("attempt 1 claims the job");
    clock.advance(settings.lease); // attempt 1 freezes; its lease runs out
    let later = worker::claim_next(app.pool(), &settings).await.unwrap();
    let later = later.expect("attempt 2 takes the job over");
    let outcome = within(
        DEADLINE,
        "an attempt to finish",
        worker::process(app.pool(), &app.email_client(), &settings, &later),
    )
    .await
    .unwrap();
    assert_eq!(outcome, Outcome::Sent, "attempt 2 sends the email");

    // Attempt 1 wakes up, calls, fails, and reports "retry later".
    let stale_outcome = within(
        DEADLINE,
        "an attempt to finish",
        worker::process(app.pool(), &failing, &settings, &stale),
    )
    .await
    .unwrap();

    assert!(
        matches!(stale_outcome, Outcome::WillRetry { .. }),
        "the stale attempt failed: {stale_outcome:?}"
    );
    assert_eq!(
        app.outbox_status(id).await,
        "sent",
        "attempt 1's failure must not overwrite attempt 2's `sent`"
    );
}
// ANCHOR_END: fencing
