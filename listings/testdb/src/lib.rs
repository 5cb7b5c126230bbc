//! `testdb` gives every test its own PostgreSQL database, already migrated,
//! in a millisecond or two, with nothing to set up.
//!
//! ```
//! // Your migrations, as `sqlx migrate` and `sqlx::migrate!` know them.
//! static MIGRATOR: sqlx::migrate::Migrator =
//!     sqlx::migrate!("./example_migrations");
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // In a test: `#[tokio::test] async fn …() {` and then:
//! let db = testdb::fresh_database(&MIGRATOR).await;
//! sqlx::query("INSERT INTO users (email) VALUES ('ada@example.com')")
//!     .execute(&db.pool)
//!     .await
//!     .unwrap();
//! let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
//!     .fetch_one(&db.pool)
//!     .await
//!     .unwrap();
//! assert_eq!(users, 1, "only this test's row is in its database");
//! # }
//! // When `db` goes: passed, the database is dropped; panicking (a failed
//! // test), it is kept and one line says how to open it with `psql`.
//! ```
//!
//! The server is `DATABASE_URL` if set (its user needs `CREATEDB`), else a
//! throwaway cluster per machine user that the first test process starts
//! and the last one's exit deletes. The migrations run once, into a
//! template named after their hash; clean clones of it wait as stock, and a
//! test process claims one by renaming it to a name with its own key.
//!
//! # The owner rule
//!
//! Each test process holds a session advisory lock on a random key for as
//! long as it runs, and a shared one on its migrations' key; `pg_locks`
//! shows them for the whole server. A run drops a database only if its name
//! is testdb's, nobody is connected to it, and either its key is held by no
//! session (its owner has gone) or it is a template, stock clone or kept
//! database whose migrations no live process uses and which nobody touched
//! for a day (`TESTDB_STALE_SECS`, default 86,400). A database it made for a
//! test that passed it drops at once. It never ends a session but its own
//! tests', and never drops another role's database.
//!
//! # Waits
//!
//! Admin sessions run with `lock_timeout` and `statement_timeout`; the
//! cluster's start lock and a test's wait for its database are bounded by
//! `TESTDB_WAIT_SECS` (60 unless set); the exit waits at most 5 s. A peer
//! stopped with Ctrl-Z holds nothing anyone waits on.

mod bin_dir;
mod cluster;
mod harness;
mod names;
mod owner;
mod server;

use std::time::Duration;

use sqlx::{PgPool, migrate::Migrator, postgres::PgConnectOptions};

/// Connections in each test's pool. Tests at once × this, plus up to six
/// of testdb's own, must fit under the server's `max_connections`.
pub const CONNECTIONS_PER_TEST: u32 = 5;

/// A database that belongs to one test. Dropping it drops the database in
/// the background, or keeps it when the test is failing (panicking).
pub struct TestDatabase {
    /// A pool on this test's database only.
    pub pool: PgPool,
    /// The database's name, unique on the server.
    pub name: String,
    url: String,
    options: PgConnectOptions,
}

impl TestDatabase {
    /// Options to open more connections to this database.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.options.clone()
    }

    /// A URL for this database, for a child process's `DATABASE_URL`.
    pub fn url(&self) -> String {
        self.url.clone()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // A failing test unwinds through here: keep what it saw, unless
        // told not to (TESTDB_KEEP_FAILED=0, for tests that fail on purpose).
        let keep = std::thread::panicking()
            && std::env::var("TESTDB_KEEP_FAILED").map_or(true, |v| v != "0");
        if keep {
            eprintln!(
                "testdb: kept database {} of the failed test; open it with: \
                 psql '{}' (kept for a day)",
                self.name,
                server::printable(&self.url)
            );
        }
        harness::finish(std::mem::take(&mut self.name), keep);
    }
}

/// Hands the calling test a database of its own, migrated by `migrator`.
///
/// Panics with a one-line explanation (starting `testdb:`) when no
/// database can be had: a test without its database can't do anything.
pub async fn fresh_database(migrator: &'static Migrator) -> TestDatabase {
    harness::take(migrator)
        .await
        .unwrap_or_else(|why| panic!("testdb: {why}"))
}

/// The maintenance URL of the server testdb uses (the throwaway cluster is
/// joined for the rest of this process), for tools that want it too.
pub fn server_url() -> Result<String, String> {
    let server = server::Server::find()?;
    let url = server.url(None);
    std::mem::forget(server); // joined until the process ends
    Ok(url)
}

/// The bound on every wait: `TESTDB_WAIT_SECS`, 60 s unless set.
fn wait_bound() -> Duration {
    let secs = std::env::var("TESTDB_WAIT_SECS").ok();
    Duration::from_secs(secs.and_then(|s| s.parse().ok()).unwrap_or(60))
}
