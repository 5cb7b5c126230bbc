//! What each of the worker's queries promises about the rows it touches,
//! one test per clause. Each was found by mutating the query's SQL (chapter
//! "How many integration tests, and where"): with the clause changed, every
//! other test still passed.

use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

use eventually::poll;
use serde_json::json;
use tokio::sync::watch;
use user_service::{
    Jobs,
    clock::Clock,
    email::EmailClient,
    jobs::{JobQueue, OutboxTable, WelcomeEmail},
    worker::{self, Settings},
};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{body_partial_json, path},
};

use crate::{
    deadline::{DEADLINE, progress_reaches, within},
    helpers::{TestApp, spawn_app, spawn_app_with},
    manual_clock::ManualClock,
    nothing_lost::lease_ends_after,
};

/// Claims one job with the production settings, within the deadline.
async fn claim(app: &TestApp) -> Option<worker::Job> {
    let settings = Settings::default();
    let claim = worker::claim_next(app.pool(), &settings);
    within(DEADLINE, "a claim", claim).await.unwrap()
}

// ANCHOR: oldest_first
/// The oldest due job is claimed first, even when a newer one comes first
/// on disk. Without `ORDER BY id`, PostgreSQL returns rows in the order it
/// happens to read them: the table's order, which is insertion order only
/// until a row is updated (the update writes the row's new version after
/// the others), or an index's, if the planner picks one.
#[tokio::test]
async fn the_oldest_due_job_is_claimed_first_wherever_it_lies_on_disk() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let oldest = app.sign_up("oldest@example.com").await;
    app.sign_up("newer@example.com").await;
    // Any update moves the row; this one changes nothing else.
    sqlx::query("UPDATE email_outbox SET last_error = NULL WHERE user_id = $1")
        .bind(oldest)
        .execute(app.pool())
        .await
        .unwrap();
    // The pending-jobs index is in id order, and on a table this small the
    // planner reads through it. Without it, only `ORDER BY` orders the rows.
    sqlx::query("DROP INDEX email_outbox_pending")
        .execute(app.pool())
        .await
        .unwrap();

    let job = claim(&app).await.expect("two jobs are due");

    assert_eq!(job.recipient, "oldest@example.com", "oldest first");
}
// ANCHOR_END: oldest_first

/// A claim stamps its own job and no other: the next job keeps no attempt
/// and no lease, and the claim reports the job it took.
#[tokio::test]
async fn a_claim_stamps_its_own_job_and_no_other() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let first = app.sign_up("first@example.com").await;
    let second = app.sign_up("second@example.com").await;

    let job = claim(&app).await.expect("two jobs are due");

    assert_eq!(job.recipient, "first@example.com");
    assert_eq!(
        app.outbox_row(first).await.1,
        1,
        "the claimed job's attempt"
    );
    assert_eq!(
        app.outbox_row(second).await,
        ("pending".into(), 0, None),
        "the other job must be untouched"
    );
}

/// A job whose last attempt never reported back is buried, and only that
/// job: the claim goes on to take the next one.
#[tokio::test]
async fn a_job_buried_for_its_crashed_attempts_takes_no_other_with_it() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let crashed = app.sign_up("crashed@example.com").await;
    let next = app.sign_up("next@example.com").await;
    // Every attempt used, none finished: its workers died mid-job.
    sqlx::query("UPDATE email_outbox SET attempts = $2 WHERE user_id = $1")
        .bind(crashed)
        .bind(Settings::default().max_attempts)
        .execute(app.pool())
        .await
        .unwrap();

    let job = claim(&app).await;

    assert_eq!(app.outbox_status(crashed).await, "dead");
    assert_eq!(
        job.map(|job| job.recipient),
        Some("next@example.com".into()),
        "the claim takes the next job"
    );
    assert_eq!(app.outbox_row(next).await.0, "pending");
}

// ANCHOR: inline_claims_its_own
/// A sign-up's inline attempt claims its own job, not an older one nobody
/// has touched yet, such as one left by an app instance that leaves every
/// email to the worker (both modes can share a database).
#[tokio::test]
async fn the_inline_attempt_claims_its_own_job_and_no_other() {
    let app = spawn_app().await; // Delivery::Inline
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;
    let waiting = leave_a_job_for_the_worker(&app, "waiting@example.com").await;

    let id = app.sign_up("ada@example.com").await;

    assert_eq!(app.outbox_status(id).await, "sent", "its own job is sent");
    assert_eq!(
        app.outbox_row(waiting).await,
        ("pending".into(), 0, None),
        "the other job is the worker's, untouched"
    );
    let sent = &app.email_server.received_requests().await.unwrap()[0];
    let body: serde_json::Value = sent.body_json().unwrap();
    assert_eq!(body["to"], "ada@example.com");
}
// ANCHOR_END: inline_claims_its_own

/// A user and its pending job, as a sign-up served by an instance with
/// `Delivery::Worker` leaves them. Returns the user's id.
async fn leave_a_job_for_the_worker(app: &TestApp, email: &str) -> i64 {
    let mut tx = app.pool().begin().await.unwrap();
    // Id 9, above the new user's 1 and after it as text too ("welcome-9"
    // sorts after "welcome-1"): a claim that compared keys with `>=`
    // instead of `=` would take this job as well.
    let user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (id, name, email) OVERRIDING SYSTEM VALUE
         VALUES (9, 'Waiting', $1) RETURNING id",
    )
    .bind(email)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let job = WelcomeEmail {
        user_id,
        recipient: email.into(),
        idempotency_key: format!("welcome-{user_id}"),
    };
    OutboxTable.enqueue(&mut tx, &job).await.unwrap();
    tx.commit().await.unwrap();
    user_id
}

/// The inline claim takes only a job nobody has tried. One a worker tried
/// and failed waits for its back-off, free of any lease: the inline claim
/// must leave it to the worker's schedule, not send it again at once.
#[tokio::test]
async fn the_inline_claim_leaves_alone_a_job_a_worker_tried_and_failed() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let id = app.sign_up("ada@example.com").await;
    // What a worker's failed attempt records: one attempt, no lease, a
    // back-off, the error.
    sqlx::query(
        "UPDATE email_outbox SET attempts = 1, locked_until = NULL,
             run_after = now() + interval '1 hour', last_error = 'refused'
         WHERE user_id = $1",
    )
    .bind(id)
    .execute(app.pool())
    .await
    .unwrap();

    let (settings, key) = (Settings::default(), format!("welcome-{id}"));
    let claim = worker::claim_fresh(app.pool(), &settings, &key);
    let claimed = within(DEADLINE, "the inline claim", claim).await.unwrap();

    assert_eq!(claimed, None, "a tried job is the worker's");
    assert_eq!(app.outbox_row(id).await.1, 1, "no second attempt taken");
}

/// An attempt's outcome is written to its own job only. Two jobs are in
/// flight, both on attempt 1: the second fails first, then the first is
/// sent, and the second stays pending with its error.
#[tokio::test]
async fn an_outcome_is_recorded_on_its_own_job_only() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    app.sign_up("sent@example.com").await;
    let failed = app.sign_up("failed@example.com").await;
    // A 400 is not worth a retry inside the client: one call, one failure.
    Mock::given(path("/send"))
        .and(body_partial_json(json!({"to": "failed@example.com"})))
        .respond_with(ResponseTemplate::new(400))
        .mount(&app.email_server)
        .await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;
    let settings = Settings::default();
    let first = claim(&app).await.expect("the first job is due");
    let second = claim(&app).await.expect("the second job is due");

    let email = app.email_client();
    for job in [&second, &first] {
        let attempt = worker::process(app.pool(), &email, &settings, job);
        within(DEADLINE, "an attempt", attempt).await.unwrap();
    }

    let (status, attempts, error) = app.outbox_row(failed).await;
    assert_eq!(
        (status.as_str(), attempts),
        ("pending", 1),
        "the failed job waits for its retry, whatever the other's outcome"
    );
    assert!(
        error.is_some_and(|e| e.contains("400")),
        "its error is kept"
    );
}

/// A heartbeat renews its own job's lease, not the lease of a job whose
/// worker died: that job must come free when its lease runs out.
#[tokio::test]
async fn a_heartbeat_renews_its_own_lease_and_no_other() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    let alive = app.sign_up("alive@example.com").await;
    let dead = app.sign_up("dead@example.com").await;
    // The live worker's call stalls, so its heartbeat keeps running.
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
    // Leases on a clock the test moves; heartbeats every real 100 ms.
    let clock = ManualClock::starting_now();
    let settings = Settings {
        clock: clock.clone(),
        lease: Duration::from_millis(300),
        ..Settings::default()
    };
    let live_job = worker::claim_next(app.pool(), &settings).await.unwrap();
    let live_job = live_job.expect("the live worker's job");
    // The second job's worker claims it and dies on the spot.
    let claim = worker::claim_next(app.pool(), &settings).await.unwrap();
    assert!(claim.is_some(), "the dead worker's job");
    let (pool, slow) = (app.pool().clone(), settings.clone());
    let sending = tokio::spawn(async move {
        worker::process(&pool, &patient, &slow, &live_job).await
    });

    clock.advance(settings.lease * 10);
    let now = clock.now();
    poll("the live worker's heartbeat to renew its lease")
        .timeout(DEADLINE)
        .until(|| lease_ends_after(&app, alive, now), |(_, later)| *later)
        .await;

    let (dead_lease, renewed) = lease_ends_after(&app, dead, now).await;
    assert!(
        !renewed,
        "the dead worker's lease ({dead_lease:?}) was renewed"
    );
    let retaken = worker::claim_next(app.pool(), &settings).await.unwrap();
    assert_eq!(retaken.map(|job| job.attempt), Some(2), "its job is free");
    sending.abort();
}

/// A clock that stands still and counts how often it is read: a heartbeat
/// reads it once per renewal, before its `UPDATE`, so two more reads mean
/// one whole renewal ran in between.
struct StoppedClock {
    at: SystemTime,
    reads: watch::Sender<u64>,
}

impl Clock for StoppedClock {
    fn now(&self) -> SystemTime {
        self.reads.send_modify(|reads| *reads += 1);
        self.at
    }
}

/// A worker frozen in time (its clock stopped) keeps heartbeating after a
/// later attempt took its job over. Its renewals must not touch the later
/// attempt's lease: written with its stale clock, they would end that lease
/// early and let a third worker take a job that is held.
#[tokio::test]
async fn a_stale_heartbeat_leaves_a_later_attempts_lease_alone() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    app.sign_up("ada@example.com").await;
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
    let clock = ManualClock::starting_now();
    let settings = Settings {
        clock: clock.clone(),
        lease: Duration::from_millis(300),
        ..Settings::default()
    };
    let stopped = Arc::new(StoppedClock {
        at: clock.now(),
        reads: watch::Sender::new(0),
    });
    let mut reads = stopped.reads.subscribe();
    let stale_settings = Settings {
        clock: stopped,
        ..settings.clone()
    };
    let stale = worker::claim_next(app.pool(), &stale_settings)
        .await
        .unwrap();
    let stale = stale.expect("attempt 1 claims the job");
    let (pool, frozen) = (app.pool().clone(), stale_settings.clone());
    let sending = tokio::spawn(async move {
        worker::process(&pool, &patient, &frozen, &stale).await
    });

    // Ten leases later on the real workers' clock, attempt 2 takes over.
    clock.advance(settings.lease * 10);
    let later = worker::claim_next(app.pool(), &settings).await.unwrap();
    assert_eq!(later.map(|job| job.attempt), Some(2), "the takeover");
    let seen = *reads.borrow();
    progress_reaches(&mut reads, DEADLINE, "a stale renewal", |n| {
        *n >= seen + 2
    })
    .await;

    let third = worker::claim_next(app.pool(), &settings).await.unwrap();
    assert_eq!(third, None, "attempt 2 still holds the job");
    sending.abort();
}
