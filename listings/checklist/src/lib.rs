//! Code under test for the chapter "The checklist, proven".
//!
//! [`Users::sign_up`] was refactored: it used to ask whether the email was
//! taken (a `SELECT`) and then insert (an `INSERT`), two statements with a
//! race between them. Now it is one `INSERT … ON CONFLICT DO NOTHING`. What
//! the function *does* did not change; how it does it did. A test that
//! watched the *how* breaks; a test that watched the *what* doesn't.

use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::PgPool;

/// The running example's migrations: the same `users` table as every chapter.
pub static MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("../user-service/migrations");

/// Sign-ups against the `users` table.
pub struct Users {
    pool: PgPool,
    /// How many statements this repository sent. An internal detail, public
    /// only so that the chapter can show a test that leans on it.
    statements: AtomicUsize,
}

impl Users {
    pub fn new(pool: PgPool) -> Users {
        Users {
            pool,
            statements: AtomicUsize::new(0),
        }
    }

    /// Creates a user and returns its id, or `None` when the email is taken.
    pub async fn sign_up(
        &self,
        name: &str,
        email: &str,
    ) -> sqlx::Result<Option<i64>> {
        // One statement: the unique index decides, so two concurrent sign-ups
        // with one email can't both pass a check and both insert.
        self.statements.fetch_add(1, Ordering::Relaxed);
        sqlx::query_scalar("INSERT INTO users (name, email) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id")
            .bind(name)
            .bind(email)
            .fetch_optional(&self.pool)
            .await
    }

    /// Statements sent so far (see the field's comment).
    pub fn statements_sent(&self) -> usize {
        self.statements.load(Ordering::Relaxed)
    }
}
