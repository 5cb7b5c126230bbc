//! The test cleans up: what it made is gone, or out of every other test's
//! way, when it ends, whether it passed or failed. Cleanup written as the
//! last lines of a test runs only when the test gets there.

use checklist::MIGRATOR;
use sqlx::PgPool;

/// An earlier test, sharing `pool` with the tests after it: it signs up
/// a user, fails an assertion, and would have deleted the user after it.
async fn earlier_test_cleaning_up_at_the_end(pool: PgPool) {
    sqlx::query("INSERT INTO users (name, email) VALUES ($1, $2)")
        .bind("Ann")
        .bind("ann@example.test")
        .execute(&pool)
        .await
        .unwrap();

    assert_eq!(1 + 1, 3, "the earlier test fails, as tests sometimes do");

    sqlx::query("DELETE FROM users")
        .execute(&pool)
        .await
        .unwrap();
}

/// What the next test assumes: nobody has signed up yet.
async fn assert_no_users_left(pool: &PgPool) {
    let left: Vec<String> = sqlx::query_scalar("SELECT email FROM users")
        .fetch_all(pool)
        .await
        .unwrap();
    assert!(
        left.is_empty(),
        "expected no users before this test, found {left:?} left by an \
         earlier test"
    );
}

// ANCHOR: broken -- cleanup at the end of a test is skipped when it fails
/// After an earlier test failed, the next test on the same database finds
/// no users (it finds the earlier test's user: its cleanup never ran).
// OUTPUT: output/cleanup-broken.txt | grep -A1 'panicked at'
// BROKEN ON PURPOSE: cleanup at the end of a test is skipped when it fails
#[ignore = "broken on purpose: a failing test skips its own cleanup"]
#[tokio::test]
async fn broken_the_next_test_inherits_what_a_failed_test_left() {
    // One database shared by two tests, run one after the other.
    let shared = testdb::fresh_database(&MIGRATOR).await;
    let earlier = earlier_test_cleaning_up_at_the_end(shared.pool.clone());
    let failed = tokio::spawn(earlier).await.is_err();
    assert!(failed, "the earlier test was meant to fail");

    assert_no_users_left(&shared.pool).await;
}

/// The next test sees the failed test's row.
#[test]
fn a_failed_test_skips_its_own_cleanup() {
    expect_failure::assert_fails_because(
        "cleanup::broken_the_next_test_inherits_what_a_failed_test_left",
        &[
            "expected no users before this test",
            r#"["ann@example.test"] left by an earlier test"#,
        ],
    );
}
// ANCHOR_END: broken

// ANCHOR: fixed -- a database per test: what a failed test left stays there
// FIXES: cleanup::broken_the_next_test_inherits_what_a_failed_test_left
/// After an earlier test failed, the next test finds no users: each test
/// has a database of its own, and the failed test's one is dropped (or
/// kept for a look), never handed to another test.
#[tokio::test]
async fn a_database_per_test_leaves_nothing_for_the_next_one() {
    // The earlier test's own database, held out here: a database whose
    // test panics is kept for a look, and this panic is on purpose.
    let earlier = testdb::fresh_database(&MIGRATOR).await;
    let run = earlier_test_cleaning_up_at_the_end(earlier.pool.clone());
    let failed = tokio::spawn(run).await.is_err();
    assert!(failed, "the earlier test was meant to fail");

    let next = testdb::fresh_database(&MIGRATOR).await;
    assert_no_users_left(&next.pool).await;
}
// ANCHOR_END: fixed
