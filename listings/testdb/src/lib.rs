//! `testdb` gives every test its own PostgreSQL database, already migrated.
//!
//! ```text
//! fresh_database(&MIGRATOR)  ──►  TestDatabase { pool, name }   (dropped when the test ends)
//! ```
//!
//! How it gets there, in the order a reader meets it:
//!
//! - [`server`]: where the PostgreSQL server comes from. `DATABASE_URL` if it is
//!   set; otherwise a throwaway cluster started from the PostgreSQL binaries
//!   ([`cluster`]); otherwise one error that names both ways to get a database.
//! - [`stock`]: a background thread that migrates a template database once per
//!   test process, keeps a few clones of it ready, and drops used ones. Tests
//!   take a ready clone, so the cost of `CREATE DATABASE` is off their path.

pub mod cluster;
pub mod server;
pub mod stock;

use sqlx::{PgPool, migrate::Migrator, postgres::PgConnectOptions};

/// Connections in each test's pool. Tests × this must stay under the server's
/// `max_connections` (100 by default): with 2 test threads that is 2 × 5 = 10,
/// plus the 2 the background thread uses and one per clone waiting in stock.
pub const CONNECTIONS_PER_TEST: u32 = 5;

/// A database that belongs to one test. Dropping it schedules `DROP DATABASE`.
pub struct TestDatabase {
    /// A pool on this test's database only.
    pub pool: PgPool,
    /// The database's name, unique on the server (`testdb_<pid>_<n>`).
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
        // Dropping a database is slow-ish (~10 ms) and needs async I/O, which
        // `Drop` can't do; the background thread does it off the test's path.
        self.stock.retire(self.name.clone());
    }
}

/// Hands the calling test a database of its own, migrated by `migrator`.
///
/// Panics with an explanation when no PostgreSQL server can be had: a test
/// without its database can't do anything useful.
pub async fn fresh_database(migrator: &'static Migrator) -> TestDatabase {
    let stock = stock::Stock::global(migrator);
    // Made, migrated and connected in the background: taking it is a
    // channel receive, not a `CREATE DATABASE` nor a new connection.
    let stock::Ready { name, pool } = stock.take_ready().await;
    let options = stock.options_for(&name);
    TestDatabase {
        pool,
        name,
        options,
        stock,
    }
}
