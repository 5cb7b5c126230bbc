//! Queries written so that the caller chooses the connection.

use sqlx::{PgConnection, PgPool};

// ANCHOR: takes_a_connection
/// Stores a user and returns its id.
///
/// It takes `&mut PgConnection`, not `&PgPool`: production code passes a
/// connection from its pool, and a test can pass its transaction instead
/// (`&mut *tx`), so every row this writes disappears at the rollback.
pub async fn create_user(
    conn: &mut PgConnection,
    name: &str,
    email: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id",
    )
    .bind(name)
    .bind(email)
    .fetch_one(conn)
    .await
}

/// How many users exist, as seen from `conn` (and its transaction, if any).
pub async fn count_users(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(conn)
        .await
}
// ANCHOR_END: takes_a_connection

// ANCHOR: takes_the_pool
/// The id of the user with this email, if any.
///
/// Written the common way: it takes the pool and checks out a connection of
/// its own, as a request handler or a background job does. A test can't
/// slip its transaction in here.
pub async fn find_user_id(
    pool: &PgPool,
    email: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(pool)
        .await
}
// ANCHOR_END: takes_the_pool
