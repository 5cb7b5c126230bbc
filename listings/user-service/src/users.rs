//! `POST /users` and `GET /users/{id}`.
//!
//! Policy when the email service fails or is slow: the user is kept and the
//! welcome email stays `pending` in the `email_outbox` table, with the error
//! recorded, for a later retry. The user and the outbox row are written in one
//! transaction, so neither exists without the other: nothing is half-written
//! and no email is forgotten. The client gets 201 either way, because its part
//! (creating the account) succeeded.

use axum::{
    Json,
    extract::{Path, State, rejection::JsonRejection},
    http::StatusCode,
};
use email_address::EmailAddress;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::{config::AppState, error::ApiError};

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
    body: Result<Json<NewUser>, JsonRejection>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let Json(new_user) = body?;
    let (name, email) = validate(&new_user)?;

    let (user_id, idempotency_key) = insert_user_and_outbox(&state.pool, &name, &email).await?;

    // Only after the commit: the email must never announce a user that a
    // rollback could still remove.
    let outcome = state.email.send(&email, WELCOME_TEMPLATE, &idempotency_key).await;
    record_attempt(&state.pool, &idempotency_key, outcome.as_ref().err()).await?;
    if let Err(error) = outcome {
        tracing::warn!(user_id, %error, "welcome email left pending for retry");
    }

    Ok((StatusCode::CREATED, Json(Created { id: user_id })))
}

pub async fn get_user(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<User>, ApiError> {
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
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::Invalid(format!("name must be at most {MAX_NAME_CHARS} characters")));
    }
    let email = new_user.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiError::Invalid("email must not be empty".into()));
    }
    if !EmailAddress::is_valid(&email) {
        return Err(ApiError::Invalid(format!("{email:?} is not a valid email address")));
    }
    Ok((name.to_owned(), email))
}

/// Writes the user and the email it is owed in one transaction. A duplicate
/// email inserts nothing and returns `EmailTaken`.
async fn insert_user_and_outbox(pool: &PgPool, name: &str, email: &str) -> Result<(i64, String), ApiError> {
    let mut tx = pool.begin().await?;
    // ON CONFLICT turns a race between two sign-ups into one winner and one
    // 409, without a unique-violation error to parse.
    let user_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (name, email) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(name)
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        return Err(ApiError::EmailTaken);
    };
    let idempotency_key = format!("welcome-{user_id}");
    sqlx::query("INSERT INTO email_outbox (user_id, recipient, template, idempotency_key) VALUES ($1, $2, $3, $4)")
        .bind(user_id)
        .bind(email)
        .bind(WELCOME_TEMPLATE)
        .bind(&idempotency_key)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((user_id, idempotency_key))
}

/// Counts one delivery attempt: `sent` on success, otherwise still `pending`
/// with the error kept for whoever retries it.
pub async fn record_attempt(
    pool: &PgPool,
    idempotency_key: &str,
    error: Option<&crate::email::EmailError>,
) -> Result<(), sqlx::Error> {
    let (status, last_error) = match error {
        None => ("sent", None),
        Some(error) => ("pending", Some(error.to_string())),
    };
    sqlx::query(
        "UPDATE email_outbox SET status = $1, last_error = $2, attempts = attempts + 1 WHERE idempotency_key = $3",
    )
    .bind(status)
    .bind(last_error)
    .bind(idempotency_key)
    .execute(pool)
    .await?;
    Ok(())
}
