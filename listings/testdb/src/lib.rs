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
//! Where the server comes from ([`server`]): `DATABASE_URL` if it is set
//! (the user needs `CREATEDB`); otherwise one throwaway cluster per machine
//! user, started from the PostgreSQL binaries by the first test process that
//! needs it, shared by every other one (`cargo test`'s test binaries, every
//! process of `cargo nextest run`), and stopped and deleted a few seconds
//! after the last of them exits ([`cluster`]).
//!
//! How a test gets its database so fast ([`stock`]): the migrations run once
//! into a template named after their hash, reused until they change; clones
//! of it wait in a stock on the server that every process draws from; each
//! process keeps a few of them connected before its tests ask. Who owns a
//! database is a session-level advisory lock held by the owning process, so
//! a crashed process's databases are recognised and dropped by the next one,
//! on any machine or container that shares the server. On the throwaway
//! cluster it is a lock on a file instead ([`local`]), which needs no round
//! trip: a process that runs one test (nextest) claims without the server.
//!
//! The connection budget, per test process: [`CONNECTIONS_PER_TEST`] per
//! running test, plus one admin session that holds the locks, up to
//! [`stock::CLONE_MAKERS`] that make clones, and one per clone kept ready
//! ([`stock::READY_CLONES`]). With 2 test threads that is at most
//! 2 × 5 + 1 + 2 + 3 = 16. Under nextest a process runs one test and keeps
//! no clone beyond it: 5 + 1 + 2 = 8 per test process.

pub mod cluster;
pub mod local;
pub mod server;
pub mod stock;

use sqlx::{PgPool, migrate::Migrator, postgres::PgConnectOptions};

/// Connections in each test's pool. See the budget above: tests at once ×
/// this, plus what the harness keeps, must fit under the server's
/// `max_connections` (100 by default, 3 of them kept for superusers).
pub const CONNECTIONS_PER_TEST: u32 = 5;

/// A database that belongs to one test. Dropping it drops the database, or
/// keeps it when the test is failing (panicking), and waits until that is
/// done (milliseconds): a test process may end right after its test, and
/// nothing it used may be left behind.
pub struct TestDatabase {
    /// A pool on this test's database only.
    pub pool: PgPool,
    /// The database's name, unique on the server
    /// (`testdb_<migrations hash>_<random>`, or `…_local_<random>` on the
    /// throwaway cluster).
    pub name: String,
    options: PgConnectOptions,
    stock: &'static stock::Stock,
}

impl TestDatabase {
    /// Options to open more connections to this database (for a second pool,
    /// or a connection the test wants outside the pool).
    pub fn connect_options(&self) -> PgConnectOptions {
        self.options.clone()
    }

    /// A URL for this database, for a child process that reads `DATABASE_URL`.
    pub fn url(&self) -> String {
        self.stock.url_for(&self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // A failing test unwinds through here: keep what it saw, unless
        // told not to (TESTDB_KEEP_FAILED=0: a run of tests that fail on
        // purpose has nothing to look at).
        let keep = std::thread::panicking()
            && std::env::var("TESTDB_KEEP_FAILED").map_or(true, |v| v != "0");
        self.stock.finish(self.name.clone(), keep);
        if keep {
            eprintln!("{}", self.stock.how_to_open(&self.name));
        }
    }
}

/// Hands the calling test a database of its own, migrated by `migrator`.
///
/// Panics with a one-line explanation when no PostgreSQL server can be had:
/// a test without its database can't do anything useful.
pub async fn fresh_database(migrator: &'static Migrator) -> TestDatabase {
    let stock = stock::Stock::global(migrator);
    // Claimed (and marked used), and connected, in the background: taking
    // it is a channel receive, not a `CREATE DATABASE` nor a new connection.
    let stock::Ready { name, pool } = stock.take_ready().await;
    let options = stock.options_for(&name);
    TestDatabase {
        pool,
        name,
        options,
        stock,
    }
}
