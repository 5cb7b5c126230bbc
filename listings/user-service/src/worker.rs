//! The email worker: takes the welcome emails the app owes from
//! `email_outbox`, sends them, and records how it went.
//!
//! ```text
//!            claim (lease)            email accepted
//!  pending ─────────────► pending ─────────────────► sent
//!     ▲                   + lease │
//!     │  failed: back-off         │ failed, no attempts left
//!     └───────────────────────────┤────────────────► dead
//!     ▲                           │
//!     └── lease ran out ──────────┘  (the worker died mid-job)
//! ```
//!
//! - **Claim** ([`claim_next`]): one short transaction picks the oldest due
//!   job with `FOR UPDATE SKIP LOCKED` — two workers asking at the same moment
//!   get different rows, and neither waits for the other — then stamps it
//!   with a lease and the attempt number, and commits *before* the email is
//!   sent. No transaction stays open across an HTTP call.
//! - **Lease**: the job belongs to the worker until `locked_until`. While it
//!   works, the worker renews the lease every third of its length (the
//!   heartbeat). A worker that dies stops renewing; one lease later the job is
//!   due again for the next worker. So a lease can be short — a crashed job
//!   waits at most one lease — however long the email service takes.
//! - **Fencing**: the attempt number taken at claim time is the worker's
//!   ticket. It writes an outcome only if the row still carries that number,
//!   so a worker that lost its lease (frozen for a minute, say) can't
//!   overwrite what the next attempt recorded.
//! - **At least once, not exactly once**: a worker killed after the email
//!   service sent the email but before `sent` was recorded leaves a job that
//!   is sent again. The idempotency key, the same on every attempt, lets the
//!   email service drop the repeat. That is what makes retrying safe.
//! - **Bounded retries**: a failure pushes `run_after` back (doubling from
//!   [`Settings::first_backoff`]); after [`Settings::max_attempts`] the job is
//!   `dead`, kept with its last error for a person to look at.

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use sqlx::PgPool;
use tokio::sync::watch;

use crate::{
    clock::{Clock, SystemClock},
    email::EmailClient,
    request_id,
};

/// A pause point for tests: called with the job's id, and the worker waits
/// for the future it returns. Built with [`hook`].
pub type Hook =
    Arc<dyn Fn(i64) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

// ANCHOR: hooks
/// Places where a test can stop or slow the worker on purpose, so a race or
/// a slow worker happens every run instead of once in a while. Both are
/// `None` in production, where they cost one `if`.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Runs inside the claim transaction, after the row is locked and before
    /// the claim commits: the window in which a second worker must not get
    /// the same job.
    pub while_claiming: Option<Hook>,
    /// Runs after the claim has committed, just before the email service is
    /// called: "the worker is slow today".
    pub before_send: Option<Hook>,
}
// ANCHOR_END: hooks

/// Wraps an async closure as a [`Hook`].
pub fn hook<F, Fut>(f: F) -> Hook
where
    F: Fn(i64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Arc::new(move |job_id| Box::pin(f(job_id)))
}

/// How a worker claims, retries and gives up. `Default` is for production.
#[derive(Clone)]
pub struct Settings {
    /// Written to `locked_by`, so a person reading the table sees who holds
    /// a job.
    pub name: String,
    /// How long a claim holds a job without a heartbeat; how long a crashed
    /// worker's job waits before another worker may take it.
    pub lease: Duration,
    /// Attempts before a job is `dead`. Counted when a job is claimed, so a
    /// job that crashes its worker every time dies too instead of looping.
    pub max_attempts: i32,
    /// Wait after the first failure; doubled after each further one...
    pub first_backoff: Duration,
    /// ...but never longer than this.
    pub max_backoff: Duration,
    /// How long [`Worker::run`] rests when no job was due.
    pub idle_poll: Duration,
    /// Where "now" comes from, for leases and back-off. See [`crate::clock`].
    pub clock: Arc<dyn Clock>,
    pub hooks: Hooks,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            name: format!("worker-{}", std::process::id()),
            lease: Duration::from_secs(30),
            max_attempts: 5,
            first_backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(10 * 60),
            idle_poll: Duration::from_secs(1),
            clock: Arc::new(SystemClock),
            hooks: Hooks::default(),
        }
    }
}

// ANCHOR: backoff -- the wait after each failed attempt doubles, up to a ceiling
impl Settings {
    /// The wait after failed attempt number `attempt` (1 for the first):
    /// `first_backoff`, then twice that, four times… up to `max_backoff`.
    /// A real system adds random jitter so that jobs failed together don't
    /// retry together; it is left out here to keep the schedule exact.
    pub fn backoff_after(&self, attempt: i32) -> Duration {
        let doublings = u32::try_from(attempt - 1).unwrap_or(0).min(30);
        self.first_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff)
    }
}
// ANCHOR_END: backoff

/// A claimed job, held by whoever claimed it until its lease runs out.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub recipient: String,
    pub template: String,
    pub idempotency_key: String,
    /// This claim's attempt number, 1 for the first. Also the fencing ticket.
    pub attempt: i32,
    /// The `x-request-id` of the sign-up that left the job, sent on with the
    /// email so the email service's logs name the same request ours do.
    pub request_id: Option<String>,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Failed; the job is due again after `after`.
    WillRetry {
        after: Duration,
        error: String,
    },
    /// Failed with no attempts left.
    Dead {
        error: String,
    },
}

/// Running totals a worker publishes after every job, for whoever watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub sent: u64,
    pub retried: u64,
    pub dead: u64,
}

/// PostgreSQL gets the clock's time as seconds since 1970 and turns it into a
/// timestamp with `to_timestamp($n)`, rounded to the microsecond. Durations
/// are added to the `SystemTime` *before* converting (`pg_seconds(t + lease)`),
/// so a lease end and a clock reading that are equal in Rust are equal in SQL
/// by construction, not by an argument about float rounding.
fn pg_seconds(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .expect("the clock reads after 1970")
        .as_secs_f64()
}

// ANCHOR: claim
/// Claims the oldest job that is due and not leased to anyone, or returns
/// `None` when there is none.
pub async fn claim_next(
    pool: &PgPool,
    settings: &Settings,
) -> Result<Option<Job>, sqlx::Error> {
    loop {
        let now = settings.clock.now();
        let mut tx = pool.begin().await?;
        // SKIP LOCKED: a row another worker is claiming at this very moment
        // is passed over, not waited for and not taken twice.
        let candidate: Option<(i64, i32)> = sqlx::query_as(
            "SELECT id, attempts FROM email_outbox
             WHERE status = 'pending'
               AND (run_after IS NULL OR run_after <= to_timestamp($1))
               AND (locked_until IS NULL OR locked_until <= to_timestamp($1))
             ORDER BY id
             LIMIT 1
             FOR UPDATE SKIP LOCKED",
        )
        .bind(pg_seconds(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, attempts)) = candidate else {
            return Ok(None);
        };

        if let Some(hook) = &settings.hooks.while_claiming {
            hook(id).await;
        }

        if attempts >= settings.max_attempts {
            // Its last attempt claimed it and never reported back: the worker
            // died mid-job, every time. Don't let it crash workers forever.
            bury_unfinished(&mut tx, id, attempts).await?;
            tx.commit().await?;
            continue;
        }

        let job: Job = sqlx::query_as(
            "UPDATE email_outbox
             SET attempts = attempts + 1,
                 locked_until = to_timestamp($2),
                 locked_by = $3
             WHERE id = $1
             RETURNING id, recipient, template, idempotency_key,
                       attempts AS attempt, request_id",
        )
        .bind(id)
        .bind(pg_seconds(now + settings.lease))
        .bind(&settings.name)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(
            "claimed job {} (attempt {}, key {}, request {})",
            job.id,
            job.attempt,
            job.idempotency_key,
            job.request_id.as_deref().unwrap_or("-")
        );
        return Ok(Some(job));
    }
}
// ANCHOR_END: claim

async fn bury_unfinished(
    tx: &mut sqlx::PgConnection,
    id: i64,
    attempts: i32,
) -> Result<(), sqlx::Error> {
    tracing::warn!(
        "job {id}: {attempts} attempts started and none finished; \
         marking it dead"
    );
    sqlx::query(
        "UPDATE email_outbox SET status = 'dead', locked_until = NULL,
             last_error = concat_ws('; ', last_error, 'the last attempt \
                 never reported back (did its worker crash?)')
         WHERE id = $1",
    )
    .bind(id)
    .execute(tx)
    .await?;
    Ok(())
}

/// Claims the job with `idempotency_key` if nobody has touched it yet: the
/// inline attempt in `POST /users`. If a worker got there first, the request
/// leaves the job to it.
pub async fn claim_fresh(
    pool: &PgPool,
    settings: &Settings,
    idempotency_key: &str,
) -> Result<Option<Job>, sqlx::Error> {
    let lease_end = settings.clock.now() + settings.lease;
    sqlx::query_as(
        "UPDATE email_outbox
         SET attempts = attempts + 1,
             locked_until = to_timestamp($2),
             locked_by = $3
         WHERE idempotency_key = $1 AND status = 'pending'
           AND attempts = 0 AND locked_until IS NULL
         RETURNING id, recipient, template, idempotency_key,
                   attempts AS attempt, request_id",
    )
    .bind(idempotency_key)
    .bind(pg_seconds(lease_end))
    .bind(&settings.name)
    .fetch_optional(pool)
    .await
}

// ANCHOR: process
/// Sends a claimed job's email, renewing the lease while the call runs, and
/// records the outcome.
pub async fn process(
    pool: &PgPool,
    email: &EmailClient,
    settings: &Settings,
    job: &Job,
) -> Result<Outcome, sqlx::Error> {
    if let Some(hook) = &settings.hooks.before_send {
        hook(job.id).await;
    }
    // Under the sign-up's request id: the email call carries the id of the
    // request that owed it, even minutes later, from another process.
    let sending = request_id::within(
        job.request_id.clone(),
        email.send(&job.recipient, &job.template, &job.idempotency_key),
    );
    let outcome = match with_heartbeat(pool, settings, job, sending).await? {
        Ok(()) => Outcome::Sent,
        Err(error) if job.attempt >= settings.max_attempts => Outcome::Dead {
            error: error.to_string(),
        },
        Err(error) => Outcome::WillRetry {
            after: settings.backoff_after(job.attempt),
            error: error.to_string(),
        },
    };
    record(pool, settings, job, &outcome).await?;
    Ok(outcome)
}
// ANCHOR_END: process

/// Runs `work` while renewing the job's lease every third of its length: a
/// live worker keeps its job however slow the email service is.
async fn with_heartbeat<F: Future>(
    pool: &PgPool,
    settings: &Settings,
    job: &Job,
    work: F,
) -> Result<F::Output, sqlx::Error> {
    let mut renew = tokio::time::interval(
        (settings.lease / 3).max(Duration::from_millis(1)),
    );
    // The first tick is immediate, and the claim just set the lease.
    renew.tick().await;
    tokio::pin!(work);
    loop {
        tokio::select! {
            output = &mut work => return Ok(output),
            _ = renew.tick() => {
                let until = pg_seconds(settings.clock.now() + settings.lease);
                sqlx::query(
                    "UPDATE email_outbox SET locked_until = to_timestamp($3)
                     WHERE id = $1 AND attempts = $2",
                )
                .bind(job.id)
                .bind(job.attempt)
                .bind(until)
                .execute(pool)
                .await?;
            }
        }
    }
}

/// Writes an attempt's outcome, if this attempt still holds the job (fencing).
async fn record(
    pool: &PgPool,
    settings: &Settings,
    job: &Job,
    outcome: &Outcome,
) -> Result<(), sqlx::Error> {
    let now = settings.clock.now();
    let (status, run_after, error) = match outcome {
        Outcome::Sent => ("sent", None, None),
        Outcome::WillRetry { after, error } => (
            "pending",
            Some(pg_seconds(now + *after)),
            Some(error.as_str()),
        ),
        Outcome::Dead { error } => ("dead", None, Some(error.as_str())),
    };
    let written = sqlx::query(
        "UPDATE email_outbox
         SET status = $3, locked_until = NULL, run_after = to_timestamp($4),
             last_error = coalesce($5, last_error)
         WHERE id = $1 AND attempts = $2",
    )
    .bind(job.id)
    .bind(job.attempt)
    .bind(status)
    .bind(run_after)
    .bind(error)
    .execute(pool)
    .await?;
    match outcome {
        _ if written.rows_affected() == 0 => {
            tracing::warn!(
                "job {}: attempt {} lost its lease to a later attempt; \
                 outcome {outcome:?} not recorded",
                job.id,
                job.attempt
            )
        }
        Outcome::Sent => tracing::info!("sent job {}", job.id),
        Outcome::WillRetry { after, error } => tracing::warn!(
            "job {} failed, retrying in {after:?}: {error}",
            job.id
        ),
        Outcome::Dead { error } => tracing::error!(
            "job {} is dead after {} attempts: {error}",
            job.id,
            job.attempt
        ),
    }
    Ok(())
}

/// A worker: a pool, an email client, settings, and the progress it reports.
pub struct Worker {
    pool: PgPool,
    email: Arc<EmailClient>,
    settings: Settings,
    progress: watch::Sender<Progress>,
}

impl Worker {
    pub fn new(
        pool: PgPool,
        email: Arc<EmailClient>,
        settings: Settings,
    ) -> Self {
        Worker {
            pool,
            email,
            settings,
            progress: watch::Sender::new(Progress::default()),
        }
    }

    /// A receiver that sees the worker's totals change after every job: the
    /// signal a test waits on instead of sleeping.
    pub fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// Claims and processes jobs until none is due; returns what it did.
    pub async fn drain(&self) -> Result<Progress, sqlx::Error> {
        let mut done = Progress::default();
        while let Some(job) = claim_next(&self.pool, &self.settings).await? {
            let outcome =
                process(&self.pool, &self.email, &self.settings, &job).await?;
            let count = |p: &mut Progress| match outcome {
                Outcome::Sent => p.sent += 1,
                Outcome::WillRetry { .. } => p.retried += 1,
                Outcome::Dead { .. } => p.dead += 1,
            };
            count(&mut done);
            self.progress.send_modify(count);
        }
        Ok(done)
    }

    // ANCHOR: run -- the loop the worker binary runs: drain, rest, repeat until shutdown
    /// Drains, rests for `idle_poll`, drains again… until `shutdown`
    /// completes. A database error is logged and retried after the rest: a
    /// worker shouldn't die because the database blinked.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(error) = self.drain().await {
                tracing::error!(
                    "database error, trying again in {:?}: {error}",
                    self.settings.idle_poll
                );
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(self.settings.idle_poll) => {}
            }
        }
    }
    // ANCHOR_END: run
}

// ANCHOR: drain
/// Sends every job that is due, one after the other, and returns when none is
/// left: the worker run inline, for a test that wants the background work
/// done *now*, on its own task, with nothing to wait for.
pub async fn drain(
    pool: &PgPool,
    email: &Arc<EmailClient>,
) -> Result<Progress, sqlx::Error> {
    Worker::new(pool.clone(), email.clone(), Settings::default())
        .drain()
        .await
}
// ANCHOR_END: drain
