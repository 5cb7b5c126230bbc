//! `POST /users` and `GET /users/{id}`.
//!
//! Policy when the email service fails or is slow: the user is kept and the
//! welcome email stays `pending` in the `email_outbox` table, with the error
//! recorded, for the worker ([`crate::worker`]) to retry. The user and the
//! outbox row are written in one transaction, so neither exists without the
//! other: nothing is half-written and no email is forgotten. The client gets
//! 201 either way, because its part (creating the account) succeeded.
//!
//! Whether the request tries the email itself or leaves it to the worker is
//! [`Delivery`]'s choice; see [`crate::jobs`].

use std::sync::Arc;

use axum::{
    Extension, Json,
    extract::{
        Path, State,
        rejection::{JsonRejection, PathRejection},
    },
    http::StatusCode,
};
use email_address::EmailAddress;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::{
    config::AppState,
    error::ApiError,
    jobs::{Delivery, JobQueue, Jobs, WelcomeEmail},
    worker,
};

/// The body of `POST /users`. Unknown fields are refused rather than ignored,
/// so a client's typo (`"emial"`) is an error instead of a silent drop.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Serialize)]
pub struct Created {
    pub id: i64,
}

#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
}

pub const WELCOME_TEMPLATE: &str = "welcome";
const MAX_NAME_CHARS: usize = 200;

pub async fn create_user(
    State(state): State<AppState>,
    Extension(jobs): Extension<Arc<Jobs>>,
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let Json(new_user) = body?;
    let (name, email) = validate(&new_user)?;

    let job =
        insert_user_and_job(&state.pool, jobs.queue.as_ref(), &name, &email)
            .await?;

    // ANCHOR: inline_or_worker -- the inline attempt takes the same claim a worker would, so the two never both send
    // Only after the commit: the email must never announce a user that a
    // rollback could still remove.
    if jobs.delivery == Delivery::Inline {
        // The same claim a worker makes, so a worker polling right now can't
        // send it too; if a worker got there first, it is the worker's job.
        if let Some(claimed) =
            worker::claim_fresh(&state.pool, &jobs.claims, &job.idempotency_key)
                .await?
        {
            let outcome = worker::process(
                &state.pool,
                &state.email,
                &jobs.claims,
                &claimed,
            )
            .await?;
            if outcome != worker::Outcome::Sent {
                tracing::warn!(
                    user_id = job.user_id,
                    ?outcome,
                    "welcome email left pending for the worker"
                );
            }
        }
    }
    // ANCHOR_END: inline_or_worker

    Ok((StatusCode::CREATED, Json(Created { id: job.user_id })))
}

pub async fn get_user(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<User>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::BadId)?;
    sqlx::query_as::<_, User>("SELECT id, name, email FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// Trims both fields and lower-cases the email, so ` Ann@Example.com` and
/// `ann@example.com` are the same account.
fn validate(new_user: &NewUser) -> Result<(String, String), ApiError> {
    let name = new_user.name.trim();
    if name.is_empty() {
        return Err(ApiError::Invalid("name must not be empty".into()));
    }
    // PostgreSQL's text can't hold a NUL: stored as is, the insert fails and
    // the client would get a 500 for its own mistake.
    if name.contains('\0') {
        return Err(ApiError::Invalid("name must not contain NUL".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Invalid(format!(
            "name must be at most {MAX_NAME_CHARS} characters"
        )));
    }
    let email = new_user.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiError::Invalid("email must not be empty".into()));
    }
    if !EmailAddress::is_valid(&email) {
        return Err(ApiError::Invalid(format!(
            "{email:?} is not a valid email address"
        )));
    }
    Ok((name.to_owned(), email))
}

/// Writes the user and the email it is owed in one transaction. A duplicate
/// email inserts nothing and returns `EmailTaken`.
async fn insert_user_and_job(
    pool: &PgPool,
    queue: &dyn JobQueue,
    name: &str,
    email: &str,
) -> Result<WelcomeEmail, ApiError> {
    let mut tx = pool.begin().await?;
    // ON CONFLICT turns a race between two sign-ups into one winner and one
    // 409, without a unique-violation error to parse.
    let user_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (name, email) VALUES ($1, $2)
         ON CONFLICT (email) DO NOTHING
         RETURNING id",
    )
    .bind(name)
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        return Err(ApiError::EmailTaken);
    };
    let job = WelcomeEmail {
        user_id,
        recipient: email.to_owned(),
        idempotency_key: format!("welcome-{user_id}"),
    };
    queue.enqueue(&mut tx, &job).await?;
    tx.commit().await?;
    Ok(job)
}
