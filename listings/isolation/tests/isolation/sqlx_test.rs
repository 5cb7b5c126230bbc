//! For comparison: `#[sqlx::test]`.
//!
//! For each test, sqlx connects to `DATABASE_URL` (read when the test runs,
//! not when it compiles), records the test in a `_sqlx_test.databases` table
//! there, creates an empty database named after a hash of the test's path,
//! runs the migrations into it, hands the test a pool, and drops the
//! database if the test passed (a failed test's database is kept for you to
//! look at). Every test replays every migration: nothing is cloned.
//!
//! Our harness's server has no fixed `DATABASE_URL`, so these tests are run
//! by the test at the bottom, in a child process whose `DATABASE_URL` points
//! at a database on that server.

use isolation::users::{count_users, create_user};
use sqlx::PgPool;
use tokio::process::Command;

use crate::helpers;

// ANCHOR: sqlx_test
/// `#[sqlx::test]` gives the test a pool on a migrated database of its own.
#[sqlx::test(migrator = "isolation::MIGRATOR")]
#[ignore = "needs DATABASE_URL: \
            the_sqlx_tests_pass_on_the_harness_server runs it with one"]
async fn sqlx_test_gives_each_test_a_migrated_database(pool: PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    create_user(&mut conn, "Ada", "ada@example.com")
        .await
        .unwrap();

    let seen = count_users(&mut conn).await.unwrap();
    assert_eq!(seen, 1, "expected only this test's user, saw {seen}");
}
// ANCHOR_END: sqlx_test

/// A second test with the same fixed email: it passes on a database of its own.
#[sqlx::test(migrator = "isolation::MIGRATOR")]
#[ignore = "needs DATABASE_URL: \
            the_sqlx_tests_pass_on_the_harness_server runs it with one"]
async fn sqlx_test_databases_are_separate(pool: PgPool) {
    let mut conn = pool.acquire().await.unwrap();
    create_user(&mut conn, "Ada", "ada@example.com")
        .await
        .expect("no other test's Ada in this database");
}

// ANCHOR: runner
/// The `#[sqlx::test]` tests pass on our server and leave no database behind.
#[tokio::test]
async fn the_sqlx_tests_pass_on_the_harness_server() {
    // sqlx::test keeps its bookkeeping in the database DATABASE_URL names:
    // give it one of ours, so we can look at that bookkeeping afterwards.
    let db = helpers::fresh_database().await;
    let run = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "sqlx_test::sqlx_test_", "--test-threads=2"])
        .env("DATABASE_URL", db.url())
        .output()
        .await
        .expect("re-run this test binary");
    let output = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && output.contains("2 passed; 0 failed"),
        "expected both #[sqlx::test] tests to pass\n\
         --- their output ---\n{output}{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let still_tracked: Vec<String> =
        sqlx::query_scalar("SELECT db_name FROM _sqlx_test.databases")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert!(
        still_tracked.is_empty(),
        "expected sqlx to drop and forget passed tests' databases: \
         {still_tracked:?}"
    );
}
// ANCHOR_END: runner
