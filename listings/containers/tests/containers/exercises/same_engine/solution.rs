//! The solution: the same test, solved; `cargo test` runs it.

use sqlx::{Connection, PgConnection};

use super::requested_major_version;
use crate::helpers::postgres_for_this_test;

// ANCHOR: solution
/// The container runs the major version of PostgreSQL the harness asked
/// for, so a test run on a laptop and in CI talk to the same engine.
#[tokio::test]
async fn the_container_runs_the_requested_major_version() {
    let Some(postgres) = postgres_for_this_test().await else {
        return;
    };

    let mut conn = PgConnection::connect(&postgres.url)
        .await
        .expect("connect to the container");
    let version_num: String = sqlx::query_scalar("SHOW server_version_num")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    // Since PostgreSQL 10 the number is major * 10000 + minor.
    let running: u32 = version_num
        .parse::<u32>()
        .expect("server_version_num is a number")
        / 10_000;

    assert_eq!(
        running,
        requested_major_version(),
        "major version of the container's server"
    );
}
// ANCHOR_END: solution
