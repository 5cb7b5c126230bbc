//! The `testdb` harness needs no change to use a container: it takes its
//! server from `DATABASE_URL` when that is set, and a container is one more
//! server with a URL.

use std::process::Command;

use sqlx::{Connection, PgConnection};

use crate::helpers::shared_postgres;

// ANCHOR: testdb_source
/// Pointed at a container through DATABASE_URL, testdb makes its databases
/// there.
#[tokio::test]
async fn testdb_makes_its_databases_on_a_container_given_as_database_url() {
    let Some(server) = shared_postgres().await else {
        return;
    };

    // testdb reads DATABASE_URL once per process, so the test that uses it
    // runs in a child process: this same test binary, with the variable set.
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let out = Command::new(exe)
        .args([
            "--exact",
            "testdb_source::testdb_hands_out_a_migrated_database",
        ])
        .env("DATABASE_URL", &server.url)
        .output()
        .expect("run the test binary again");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && output.contains("1 passed"),
        "expected the testdb test to pass on the container, got:\n{output}"
    );

    // And it really ran there: testdb's migrated template is on the container.
    let mut conn = PgConnection::connect(&server.url)
        .await
        .expect("connect to the container");
    let templates: i64 = sqlx::query_scalar(
        r"SELECT count(*) FROM pg_database
          WHERE datname LIKE 'testdb\_%\_tpl'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        templates, 1,
        "expected testdb's template database on the container, \
         found {templates}"
    );
}

/// testdb hands out a database with the user service's migrations applied,
/// wherever its server is.
#[tokio::test]
async fn testdb_hands_out_a_migrated_database() {
    let db = testdb::fresh_database(&user_service::MIGRATOR).await;

    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&db.pool)
        .await
        .expect("the users table exists, so the migrations ran");

    assert_eq!(
        users, 0,
        "expected a fresh database with no users, found {users}"
    );
}
// ANCHOR_END: testdb_source
