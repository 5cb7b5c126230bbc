//! One container per test: the strongest isolation there is, at the price of
//! a container start (seconds, not milliseconds) in every test.

use sqlx::{Connection, PgConnection};

use crate::helpers::postgres_for_this_test;

// ANCHOR: per_test_tests
// OUTPUT: output/no-docker.txt -CI DOCKER_HOST=unix:///nonexistent.sock \
//   | grep -E '^(skipped|test |test result)'
// OUTPUT: output/no-docker-in-ci.txt CI=true \
//   DOCKER_HOST=unix:///nonexistent.sock | grep -A1 'panicked at'
/// A test creates a table on a fresh server and finds it empty.
#[tokio::test]
async fn a_fresh_container_has_an_empty_server() {
    let Some(postgres) = postgres_for_this_test().await else {
        return;
    };
    let mut conn = PgConnection::connect(&postgres.url)
        .await
        .expect("connect to the container");

    sqlx::query("CREATE TABLE notes (body TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO notes VALUES ('written by the first test')")
        .execute(&mut conn)
        .await
        .unwrap();

    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM notes")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        rows, 1,
        "expected only this test's row in a brand-new server, found {rows}"
    );
}

/// The same table name in another test doesn't collide: it is another server.
#[tokio::test]
async fn another_test_gets_another_server() {
    let Some(postgres) = postgres_for_this_test().await else {
        return;
    };
    let mut conn = PgConnection::connect(&postgres.url)
        .await
        .expect("connect to the container");

    // Would fail with "relation already exists" if the two tests shared a
    // server.
    sqlx::query("CREATE TABLE notes (body TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();

    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM notes")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        rows, 0,
        "expected an empty table on this test's own server, found {rows} rows"
    );
}
// ANCHOR_END: per_test_tests
