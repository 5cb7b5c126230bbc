//! What `POST /users` leaves to do after it answers, and who does it.
//!
//! A sign-up owes the new user a welcome email. The app records that debt as
//! a job in the same transaction as the user ([`JobQueue::enqueue`]), so the
//! user and the job exist together or not at all. Then [`Delivery`] decides:
//!
//! - [`Delivery::Inline`] (the default): right after the commit, the request
//!   claims the job exactly as a worker would and tries the email once. If
//!   that fails, the job stays pending and the worker retries it later. Users
//!   usually get their email at once; a down email service never loses one.
//! - [`Delivery::Worker`]: the request only records the job. The worker
//!   ([`crate::worker`]) sends it. Requests never wait on the email service.
//!
//! Both can run at the same time without sending twice: the request and the
//! workers take the job through the same claim, and a claimed job is leased to
//! whoever claimed it.

use std::sync::Arc;

use sqlx::PgConnection;

use crate::{request_id, users::WELCOME_TEMPLATE, worker};

// ANCHOR: job_queue -- the job a sign-up leaves, and the queue trait the app takes so tests can swap it
/// The job a sign-up leaves behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WelcomeEmail {
    pub user_id: i64,
    pub recipient: String,
    /// Stays the same on every attempt, so the email service can drop repeats.
    pub idempotency_key: String,
}

/// Where the app puts jobs. The app takes one as a trait object, so a test can
/// hand it a fake that only records what it was given.
#[async_trait::async_trait]
pub trait JobQueue: Send + Sync {
    /// Records `job` inside the caller's transaction `tx`: it commits or rolls
    /// back together with the user.
    async fn enqueue(
        &self,
        tx: &mut PgConnection,
        job: &WelcomeEmail,
    ) -> Result<(), sqlx::Error>;
}

/// The real queue: a row in `email_outbox`, which the worker reads. The row
/// also keeps the id of the request being served, if any, for the worker to
/// send on with the email (see [`crate::request_id`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxTable;

#[async_trait::async_trait]
impl JobQueue for OutboxTable {
    async fn enqueue(
        &self,
        tx: &mut PgConnection,
        job: &WelcomeEmail,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO email_outbox
                 (user_id, recipient, template, idempotency_key, request_id)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(job.user_id)
        .bind(&job.recipient)
        .bind(WELCOME_TEMPLATE)
        .bind(&job.idempotency_key)
        .bind(request_id::current())
        .execute(tx)
        .await?;
        Ok(())
    }
}
// ANCHOR_END: job_queue

/// Who sends the welcome email. See the module documentation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Delivery {
    /// The request tries once, the worker retries. What the app did before
    /// there was a worker, and still the default.
    #[default]
    Inline,
    /// The request only records the job; the worker sends it.
    Worker,
}

/// Everything about background jobs the app needs: where they go, who sends
/// them, and the claim settings an inline attempt shares with the worker.
#[derive(Clone)]
pub struct Jobs {
    pub queue: Arc<dyn JobQueue>,
    pub delivery: Delivery,
    /// Lease, attempts, back-off and clock for the inline attempt: the same
    /// rules as the worker, so the two can't disagree about a job.
    pub claims: worker::Settings,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs {
            queue: Arc::new(OutboxTable),
            delivery: Delivery::Inline,
            claims: worker::Settings::default(),
        }
    }
}

impl Jobs {
    /// Record the job and let the worker send it.
    pub fn left_to_the_worker() -> Self {
        Jobs {
            delivery: Delivery::Worker,
            ..Jobs::default()
        }
    }
}
