//! Shared by every module of this test binary.

use sqlx::{Connection, PgConnection};
use testdb::TestDatabase;

/// A database of the calling test's own, migrated with the running example's
/// schema. Where a listing needs "the one database a suite shares", it takes
/// one of these and lets several test bodies use it.
pub async fn fresh_database() -> TestDatabase {
    testdb::fresh_database(&isolation::MIGRATOR).await
}

/// The server testdb uses, for code that makes databases of its own.
pub fn server() -> sqlx::postgres::PgConnectOptions {
    let url = testdb::server_url().unwrap_or_else(|why| panic!("{why}"));
    url.parse().expect("testdb's server URL")
}

/// A connection of its own to `db`, outside any pool, as a second test (or a
/// second process) would have.
pub async fn connect(db: &TestDatabase) -> PgConnection {
    PgConnection::connect_with(&db.connect_options())
        .await
        .unwrap_or_else(|error| {
            panic!("could not connect to {}: {error}", db.name)
        })
}
