//! Strategy: one shared database, emptied before each test.

use isolation::{
    strategies::truncate_all,
    users::{count_users, create_user},
};
use tokio::sync::oneshot;

use crate::helpers;

// ANCHOR: truncate_first
/// Truncating every table first leaves the test empty tables, whatever ran.
#[tokio::test]
async fn truncating_first_gives_the_test_empty_tables() {
    let shared = helpers::fresh_database().await;
    let mut conn = helpers::connect(&shared).await;
    // What an earlier test left behind, committed.
    create_user(&mut conn, "Left Over", "left@example.com")
        .await
        .unwrap();

    // This test's set-up, then the test.
    truncate_all(&mut conn).await.expect("truncate");
    let id = create_user(&mut conn, "Ada", "ada@example.com")
        .await
        .unwrap();

    assert_eq!(
        count_users(&mut conn).await.unwrap(),
        1,
        "only this test's user should exist"
    );
    assert_eq!(id, 1, "RESTART IDENTITY starts ids again at 1");
}
// ANCHOR_END: truncate_first

// ANCHOR: truncate_parallel
// BROKEN ON PURPOSE: two tests on one database in parallel; the second one's
// set-up (TRUNCATE) empties the tables while the first is still running.
/// A test running in parallel truncates the tables under this one.
#[tokio::test]
#[ignore = "broken on purpose: a parallel test's TRUNCATE deletes the rows \
            of a test still running"]
async fn broken_truncating_while_another_test_runs() {
    let shared = helpers::fresh_database().await;
    // Two signals fix the order that parallel threads could produce by
    // chance: A writes, then B sets up, then A checks.
    let (a_has_written, b_may_start) = oneshot::channel();
    let (b_has_set_up, a_may_check) = oneshot::channel();

    let test_a = async {
        let mut conn = helpers::connect(&shared).await;
        truncate_all(&mut conn).await.unwrap();
        create_user(&mut conn, "Ada", "ada@example.com")
            .await
            .unwrap();
        a_has_written.send(()).unwrap();
        a_may_check.await.unwrap();
        let seen = count_users(&mut conn).await.unwrap();
        assert_eq!(
            seen, 1,
            "test A expected the 1 user it created, but saw {seen}"
        );
    };
    let test_b = async {
        b_may_start.await.unwrap();
        let mut conn = helpers::connect(&shared).await;
        truncate_all(&mut conn).await.unwrap();
        b_has_set_up.send(()).unwrap();
    };
    tokio::join!(test_a, test_b);
}

/// Proves the test above fails, and for the reason the chapter gives.
#[test]
fn truncating_forbids_running_tests_in_parallel() {
    expect_failure::assert_fails_because(
        "truncate::broken_truncating_while_another_test_runs",
        &["test A expected the 1 user it created, but saw 0"],
    );
}
// ANCHOR_END: truncate_parallel

// FIXES: truncate::broken_truncating_while_another_test_runs
/// The same two tests one after the other, as `--test-threads=1` runs them:
/// B's TRUNCATE comes only after A has checked its rows.
#[tokio::test]
async fn truncating_one_test_at_a_time_leaves_each_its_rows() {
    let shared = helpers::fresh_database().await;

    // Test A, from its set-up to its check.
    let mut conn = helpers::connect(&shared).await;
    truncate_all(&mut conn).await.unwrap();
    create_user(&mut conn, "Ada", "ada@example.com")
        .await
        .unwrap();
    let seen = count_users(&mut conn).await.unwrap();
    assert_eq!(
        seen, 1,
        "test A expected the 1 user it created, but saw {seen}"
    );

    // Then test B's set-up, which starts it on empty tables.
    let mut conn = helpers::connect(&shared).await;
    truncate_all(&mut conn).await.unwrap();
    assert_eq!(
        count_users(&mut conn).await.unwrap(),
        0,
        "test B expected empty tables after its TRUNCATE"
    );
}
