//! Shared by every module of this test binary.

use sqlx::{Connection, PgConnection};
use testdb::TestDatabase;

/// A database of the calling test's own, migrated with the running example's
/// schema. Where a listing needs "the one database a suite shares", it takes
/// one of these and lets several test bodies use it.
pub async fn fresh_database() -> TestDatabase {
    testdb::fresh_database(&isolation::MIGRATOR).await
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
