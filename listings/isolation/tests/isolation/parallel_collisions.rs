//! Pitfall: tests that share a database, run in parallel.
//!
//! `cargo test` runs tests on several threads at once. Two tests that share a
//! database and assert on counts or on unique values then pass or fail
//! depending on how their steps interleave. Here the two "tests" are two
//! bodies in one test, and a barrier forces the interleaving that breaks
//! them, so the failure happens on every run instead of now and then.

use std::sync::atomic::{AtomicU64, Ordering};

use isolation::users::{count_users, create_user};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use tokio::sync::Barrier;

use crate::helpers;

// ANCHOR: counting_body
/// The body of a sign-up test written as if it had the database to itself.
/// It waits at `barrier` between its write and its check: the point where a
/// parallel test's write can slip in.
async fn sign_up_and_count_users(
    database: PgConnectOptions,
    email: &str,
    barrier: &Barrier,
) {
    let mut conn = PgConnection::connect_with(&database).await.unwrap();
    create_user(&mut conn, "Someone", email).await.unwrap();
    barrier.wait().await;
    let seen = count_users(&mut conn).await.unwrap();
    assert_eq!(
        seen, 1,
        "{email}'s test expected 1 user (its own), but saw {seen}"
    );
}
// ANCHOR_END: counting_body

// ANCHOR: shared_counts
// BROKEN ON PURPOSE: both tests count every user in a shared database, so each
// sees the other's row; the barrier makes that happen on every run.
/// Two tests sharing a database each count the other's user too.
#[tokio::test]
#[ignore = "broken on purpose: tests on one database count each other's rows"]
async fn broken_two_tests_sharing_a_database_count_each_others_rows() {
    let shared = helpers::fresh_database().await;
    let both_have_written = Barrier::new(2);

    tokio::join!(
        sign_up_and_count_users(
            shared.connect_options(),
            "ada@example.com",
            &both_have_written
        ),
        sign_up_and_count_users(
            shared.connect_options(),
            "grace@example.com",
            &both_have_written
        ),
    );
}

/// Proves the test above fails, and for the reason the chapter gives.
#[test]
fn tests_sharing_a_database_see_each_others_rows() {
    expect_failure::assert_fails_because(
        "parallel_collisions::\
         broken_two_tests_sharing_a_database_count_each_others_rows",
        &["expected 1 user (its own), but saw 2"],
    );
}
// ANCHOR_END: shared_counts

// ANCHOR: own_databases
// FIXES: parallel_collisions::\
//     broken_two_tests_sharing_a_database_count_each_others_rows
/// With a database each, the same interleaving can't show a test another's row.
#[tokio::test]
async fn with_a_database_each_the_same_interleaving_passes() {
    let (ada_db, grace_db) = (
        helpers::fresh_database().await,
        helpers::fresh_database().await,
    );
    let both_have_written = Barrier::new(2);

    tokio::join!(
        sign_up_and_count_users(
            ada_db.connect_options(),
            "ada@example.com",
            &both_have_written
        ),
        sign_up_and_count_users(
            grace_db.connect_options(),
            "grace@example.com",
            &both_have_written
        ),
    );
}
// ANCHOR_END: own_databases

// ANCHOR: unique_values
/// An email no other test in this run (or in a parallel run) will use.
fn unique_email(name: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{name}-{}-{}@example.com",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The body of a sign-up test that asserts only on the rows it created.
async fn sign_up_and_find_own_user(
    database: PgConnectOptions,
    email: String,
    barrier: &Barrier,
) {
    let mut conn = PgConnection::connect_with(&database).await.unwrap();
    let id = create_user(&mut conn, "Someone", &email)
        .await
        .unwrap_or_else(|error| {
            panic!("{email}'s test could not create its user: {error}");
        });
    barrier.wait().await;
    let found: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        found,
        [id],
        "{email}'s test expected to find exactly its own user"
    );
}

// OUTPUT: /listings/checklist/output/parallel-collision.txt | sed -E \
//   's/testdb_[0-9a-f]+_[0-9a-f]+_[0-9]+/testdb_NAME/g'
// BROKEN ON PURPOSE: both tests sign up the same fixed email in a shared
// database; the unique constraint lets only one of them succeed.
/// Two tests sharing a database can't both create "ada@example.com".
#[tokio::test]
#[ignore = "broken on purpose: tests on one database collide on a unique value"]
async fn broken_two_tests_sharing_a_database_use_the_same_email() {
    let shared = helpers::fresh_database().await;
    let both_have_written = Barrier::new(2);

    tokio::join!(
        sign_up_and_find_own_user(
            shared.connect_options(),
            "ada@example.com".into(),
            &both_have_written
        ),
        sign_up_and_find_own_user(
            shared.connect_options(),
            "ada@example.com".into(),
            &both_have_written
        ),
    );
}

/// Proves the test above fails, and for the reason the chapter gives.
#[test]
fn tests_sharing_a_database_collide_on_unique_values() {
    expect_failure::assert_fails_because(
        "parallel_collisions::\
         broken_two_tests_sharing_a_database_use_the_same_email",
        &[
            "could not create its user",
            "duplicate key value violates unique constraint",
        ],
    );
}

// FIXES: parallel_collisions::\
//     broken_two_tests_sharing_a_database_use_the_same_email
/// Unique values and assertions on its own rows let tests share a database.
#[tokio::test]
async fn with_unique_values_tests_can_share_a_database() {
    let shared = helpers::fresh_database().await;
    let both_have_written = Barrier::new(2);

    tokio::join!(
        sign_up_and_find_own_user(
            shared.connect_options(),
            unique_email("ada"),
            &both_have_written
        ),
        sign_up_and_find_own_user(
            shared.connect_options(),
            unique_email("ada"),
            &both_have_written
        ),
    );
}
// ANCHOR_END: unique_values
