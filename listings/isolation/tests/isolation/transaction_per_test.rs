//! Strategy: one transaction per test, rolled back at the end.
//!
//! The code under test must accept the test's transaction, which is why
//! `isolation::users` takes `&mut PgConnection`. A suite built on this shares
//! one database between all its tests; each test here takes its own only so
//! it can look at the database afterwards and prove what was left.

use isolation::users::{count_users, create_user, find_user_id};
use sqlx::Connection;

use crate::helpers;

// ANCHOR: rolled_back
/// A test run inside a transaction leaves no row behind for the next test.
#[tokio::test]
async fn a_test_inside_a_transaction_leaves_nothing_behind() {
    let shared = helpers::fresh_database().await;
    let mut conn = helpers::connect(&shared).await;

    // The test: begin, hand the transaction to the code under test, assert.
    let mut tx = conn.begin().await.expect("begin");
    create_user(&mut tx, "Ada", "ada@example.com")
        .await
        .expect("insert a user");
    let seen_inside = count_users(&mut tx).await.unwrap();
    assert_eq!(
        seen_inside, 1,
        "inside its transaction the test sees its own row"
    );
    // Dropping `tx` rolls back too, also when an assertion above panics.
    tx.rollback().await.expect("rollback");

    // What the next test, on the same database, finds.
    let seen_after = count_users(&mut conn).await.unwrap();
    assert_eq!(
        seen_after, 0,
        "expected the rollback to remove the test's row; {seen_after} remain"
    );
}
// ANCHOR_END: rolled_back

// ANCHOR: ids_escape
/// A rollback removes rows but not the ids they took: sequences keep counting.
#[tokio::test]
async fn a_rollback_does_not_give_back_the_ids_it_used() {
    let shared = helpers::fresh_database().await;
    let mut conn = helpers::connect(&shared).await;

    let mut first_test = conn.begin().await.unwrap();
    let first_id = create_user(&mut first_test, "Ada", "ada@example.com")
        .await
        .unwrap();
    first_test.rollback().await.unwrap();

    let mut second_test = conn.begin().await.unwrap();
    let second_id = create_user(&mut second_test, "Ada", "ada@example.com")
        .await
        .unwrap();
    second_test.rollback().await.unwrap();

    // So a test that asserts "the first user gets id 1" passes alone and
    // fails after any other test: assert on what the test itself created.
    assert_eq!(
        second_id,
        first_id + 1,
        "expected the next id after the rolled-back {first_id}, got {second_id}"
    );
}
// ANCHOR_END: ids_escape

// ANCHOR: caveat
// OUTPUT: /listings/checklist/output/transaction-caveat.txt | sed -E \
//   's/testdb_[0-9a-f]+_[0-9a-f]+_[0-9]+/testdb_NAME/g'
// BROKEN ON PURPOSE: the row is written in the test's transaction; code that
// takes the pool reads on another connection and cannot see uncommitted rows.
/// The app's own query can't see a user the test made inside its transaction.
#[tokio::test]
#[ignore = "broken on purpose: the pool can't see the test's uncommitted rows"]
async fn broken_the_app_cannot_see_rows_in_the_tests_transaction() {
    let db = helpers::fresh_database().await;
    let mut tx = db.pool.begin().await.unwrap();
    create_user(&mut tx, "Ada", "ada@example.com")
        .await
        .unwrap();

    // Like a request handler or a job, this checks out its own connection.
    let found = find_user_id(&db.pool, "ada@example.com").await.unwrap();

    assert!(
        found.is_some(),
        "expected the app to find the test's user, but it found none"
    );
}

/// Proves the test above fails, and for the reason the chapter gives.
#[test]
fn code_that_takes_the_pool_does_not_see_the_tests_transaction() {
    expect_failure::assert_fails_because(
        "transaction_per_test::\
         broken_the_app_cannot_see_rows_in_the_tests_transaction",
        &["expected the app to find the test's user, but it found none"],
    );
}
// ANCHOR_END: caveat

// ANCHOR: caveat_fixed
// FIXES: transaction_per_test::\
//     broken_the_app_cannot_see_rows_in_the_tests_transaction
/// With a database of its own, the test commits, and the app sees the row.
#[tokio::test]
async fn with_its_own_database_the_test_commits_and_the_app_sees_the_row() {
    let db = helpers::fresh_database().await;
    let mut conn = db.pool.acquire().await.unwrap();
    let id = create_user(&mut conn, "Ada", "ada@example.com")
        .await
        .unwrap();

    let found = find_user_id(&db.pool, "ada@example.com").await.unwrap();

    assert_eq!(
        found,
        Some(id),
        "expected the app to find the committed user {id}, got {found:?}"
    );
}
// ANCHOR_END: caveat_fixed
