//! Runs the email worker for real. All configuration comes from the
//! environment:
//!
//! - `DATABASE_URL` (required): the service's PostgreSQL database, already
//!   migrated (the web service runs the migrations; the worker only reads
//!   and updates `email_outbox`).
//! - `EMAIL_BASE_URL` (required): base URL of the email service.
//! - `EMAIL_TIMEOUT_MS` (default 10000): per-call timeout for the email
//!   service.
//! - `WORKER_LEASE_MS` (default 30000): how long a claimed job is held without
//!   a heartbeat; a crashed worker's job is taken again after this.
//! - `WORKER_MAX_ATTEMPTS` (default 5): attempts before a job is `dead`.
//! - `WORKER_IDLE_POLL_MS` (default 1000): rest between looks when nothing
//!   is due.
//! - `WORKER_NAME` (default `worker-<pid>`): recorded in `locked_by`.
//!
//! It logs one line per event on stdout ("claimed job 7 (attempt 1, key
//! welcome-7, request signup-4711)", "sent job 7"), which is also what the
//! tests read. On Ctrl-C or SIGTERM it finishes the round it is in (every
//! job that was due when it woke, see `Worker::run`), then exits: it never
//! stops in the middle of a job.

use std::{env, process::ExitCode, sync::Arc, time::Duration};

use sqlx::postgres::PgPoolOptions;
use tokio::signal::unix::{SignalKind, signal};
use user_service::{
    email::EmailClient,
    worker::{Settings, Worker},
};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(false)
        .with_target(false)
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("worker: {why}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let database_url = required("DATABASE_URL")?;
    let email_base_url =
        required("EMAIL_BASE_URL")?.parse().map_err(|error| {
            format!(
                "EMAIL_BASE_URL is not a URL ({error}); \
                 expected e.g. http://localhost:8025/"
            )
        })?;
    let defaults = Settings::default();
    let settings = Settings {
        name: env::var("WORKER_NAME").unwrap_or(defaults.name.clone()),
        lease: millis("WORKER_LEASE_MS", defaults.lease)?,
        max_attempts: number("WORKER_MAX_ATTEMPTS", defaults.max_attempts)?,
        idle_poll: millis("WORKER_IDLE_POLL_MS", defaults.idle_poll)?,
        ..defaults
    };
    if settings.lease.is_zero() || settings.max_attempts < 1 {
        return Err(
            "WORKER_LEASE_MS and WORKER_MAX_ATTEMPTS must be at least 1".into(),
        );
    }
    let email = EmailClient::new(
        email_base_url,
        millis("EMAIL_TIMEOUT_MS", Duration::from_secs(10))?,
    );

    // Two connections: one for claims and outcomes, one for the heartbeat
    // that renews a lease while a send is in flight. Every worker process
    // takes its share of the server's max_connections; keep it small.
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&database_url)
        .await
        .map_err(|error| {
            format!("could not connect to DATABASE_URL: {error}")
        })?;

    tracing::info!(
        "worker {} started (lease {:?}, max attempts {})",
        settings.name,
        settings.lease,
        settings.max_attempts
    );
    let worker = Worker::new(pool, Arc::new(email), settings);
    let mut terminate = signal(SignalKind::terminate())
        .map_err(|error| format!("could not listen for SIGTERM: {error}"))?;
    worker
        .run(async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        })
        .await;
    tracing::info!("worker stopped");
    Ok(())
}

fn required(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| {
        format!(
            "{name} is not set; \
             see the doc comment at the top of src/bin/worker.rs"
        )
    })
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match env::var(name) {
        Err(_) => Ok(default),
        Ok(text) => text
            .parse()
            .map_err(|_| format!("{name}={text:?} is not a whole number")),
    }
}

fn millis(name: &str, default: Duration) -> Result<Duration, String> {
    let default_ms = u64::try_from(default.as_millis()).unwrap_or(u64::MAX);
    number(name, default_ms).map(Duration::from_millis)
}
