//! A small users table that changes shape, for two chapters' worth of
//! schema testing:
//!
//! - [`MIGRATOR`]: version 1 stores emails as typed, version 2 lower-cases
//!   them; the tests upgrade a database that already holds version-1 rows.
//! - [`find_by_email`] and [`sign_up`]: queries written with `sqlx`'s
//!   `query_as!`/`query_scalar!`, checked against the schema when the crate
//!   compiles. The build reads the schema from `.sqlx/` (committed), not
//!   from a server: `.env` sets `SQLX_OFFLINE=true`.

use sqlx::PgPool;

/// Both versions, in order: `migrations/`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A user as the app reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
}

// ANCHOR: checked -- queries the compiler checks against the schema
/// The user with this email, whatever case it is typed in.
pub async fn find_by_email(
    pool: &PgPool,
    email: &str,
) -> sqlx::Result<Option<User>> {
    // Checked at compile time: the table and columns exist, `$1` is text,
    // and each column's type fits the field it fills. A renamed column is a
    // build error here, not a failing request in production.
    sqlx::query_as!(
        User,
        "SELECT id, name, email FROM users WHERE email = lower($1)",
        email
    )
    .fetch_optional(pool)
    .await
}

/// Stores a new user, its email lower-cased as version 2 requires, and
/// returns its id.
pub async fn sign_up(
    pool: &PgPool,
    name: &str,
    email: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "INSERT INTO users (name, email) VALUES ($1, lower($2)) RETURNING id",
        name,
        email
    )
    .fetch_one(pool)
    .await
}
// ANCHOR_END: checked
