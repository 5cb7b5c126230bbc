#![doc = include_str!("../README.md")]

mod bin_dir;
mod cluster;
mod harness;
mod names;
mod owner;
mod server;

use sqlx::{PgPool, migrate::Migrator, postgres::PgConnectOptions};

/// Connections in each test's pool. Tests at once × this, plus up to 8
/// of testdb's own per process, must fit under `max_connections`.
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
            let (name, url) = (&self.name, server::printable(&self.url));
            eprintln!(
                "testdb: kept database {name} of the failed test; open it \
                 with: psql '{url}' (kept for a day)"
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
    harness::take(migrator).await.unwrap_or_else(|why| panic!("testdb: {why}"))
}

/// The maintenance URL of the server testdb uses, for tools that want it
/// too; the server is never dropped (a throwaway cluster stays joined).
pub fn server_url() -> Result<String, String> {
    Ok(std::mem::ManuallyDrop::new(server::Server::find()?).url(None))
}

/// The bound on every wait: `TESTDB_WAIT_SECS`, 60 s unless set.
fn wait_bound() -> std::time::Duration {
    let secs = std::env::var("TESTDB_WAIT_SECS").unwrap_or_default();
    std::time::Duration::from_secs(secs.parse().unwrap_or(60))
}
