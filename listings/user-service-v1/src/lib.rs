//! The first version of the book's running example, `user-service`: two
//! endpoints and one table, nothing else. Later chapters grow it into
//! `listings/user-service` (validation with JSON errors, a welcome email, a
//! worker); this version is what the first chapters test.
//!
//! The app is a library so that tests can build it: a crate under `tests/`
//! can use only this library's public items (`app`, `serve`, `MIGRATOR`).
//! `src/main.rs` is a thin binary that reads the environment and calls them.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

/// The migrations that build the schema, embedded at compile time so that
/// tests and the binary apply exactly the same files.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The body of `POST /users`.
#[derive(Deserialize)]
pub struct NewUser {
    pub name: String,
    pub email: String,
}

/// A stored user, as `GET /users/{id}` returns it.
#[derive(Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
}

// ANCHOR: app -- the library's public face: what tests and the binary call
/// The app, built from the one thing it needs: a database pool. It binds no
/// socket, so a test can serve it on a port of its choosing.
pub fn app(pool: PgPool) -> Router {
    Router::new()
        .route("/users", post(create_user))
        .route("/users/{id}", get(get_user))
        .with_state(pool)
}

/// Serves `app` on a listener the caller has already bound.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
) -> std::io::Result<()> {
    axum::serve(listener, app).await
}
// ANCHOR_END: app

// ANCHOR: create_user -- the whole of POST /users: normalise, insert, answer
/// `POST /users`: stores the user and answers `201 {"id": …}`; `409` if the
/// email is taken, `422` if the name is blank.
async fn create_user(
    State(pool): State<PgPool>,
    Json(new_user): Json<NewUser>,
) -> Result<(StatusCode, Json<serde_json::Value>), StatusCode> {
    let name = new_user.name.trim();
    if name.is_empty() {
        return Err(StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Normalise *before* the insert, so the UNIQUE constraint compares
    // addresses the way people do.
    let email = normalise_email(&new_user.email);
    // A taken email inserts nothing and returns no id: a 409, with no
    // database error to pick apart.
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO users (name, email) VALUES ($1, $2) \
         ON CONFLICT (email) DO NOTHING RETURNING id",
    )
    .bind(name)
    .bind(&email)
    .fetch_optional(&pool)
    .await
    .map_err(internal_error)?;

    let id = id.ok_or(StatusCode::CONFLICT)?;
    tracing::info!(id, "user created");
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}
// ANCHOR_END: create_user

/// `GET /users/{id}`: the stored user, or `404`.
async fn get_user(
    State(pool): State<PgPool>,
    Path(id): Path<i64>,
) -> Result<Json<User>, StatusCode> {
    sqlx::query_as("SELECT id, name, email FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&pool)
        .await
        .map_err(internal_error)?
        .map(Json)
        .ok_or(StatusCode::NOT_FOUND)
}

/// Logs a database error and hides it from the client behind a 500.
fn internal_error(error: sqlx::Error) -> StatusCode {
    tracing::error!(%error, "database error");
    StatusCode::INTERNAL_SERVER_ERROR
}

// ANCHOR: unit_tests -- a unit test sits beside the code and sees private items
/// Two spellings of one address become one: trimmed and lower-cased.
///
/// Private: a crate under `tests/` cannot call it, and this example (compiled,
/// like those tests, as a separate crate) proves it:
///
/// ```compile_fail,E0603
/// user_service_v1::normalise_email(" Ada@Example.COM ");
/// ```
// OUTPUT: output/doc-tests.txt $ cargo test -p user-service-v1 --doc
fn normalise_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spaces and capitals don't make a second address.
    #[test]
    fn normalising_trims_and_lower_cases() {
        assert_eq!(normalise_email("  Ada@Example.COM "), "ada@example.com");
    }
}
// ANCHOR_END: unit_tests
