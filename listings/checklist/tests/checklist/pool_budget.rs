//! The connection budget: test threads × connections per test pool must fit
//! under what the server allows, or some test waits for a connection that
//! never comes and fails with `PoolTimedOut`.
//!
//! A real server's `max_connections` is 100 and shared with everything else,
//! so hitting it depends on the machine. Here the limit is made small and
//! exact instead: a role of the test's own with `CONNECTION LIMIT 4`. The
//! server refuses that role's fifth connection with the same error
//! (`too_many_connections`, 53300) it gives when `max_connections` is reached,
//! and sqlx treats it the same way: it retries until the acquire timeout.

use std::time::Duration;

use checklist::MIGRATOR;
use sqlx::{
    PgPool, Postgres,
    pool::PoolConnection,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use testdb::TestDatabase;

// ANCHOR: budget -- the server's limit, the test threads, and a pool size that fits
/// Connections the server allows the suite (a stand-in for `max_connections`).
const SERVER_LIMIT: u32 = 4;
/// Tests running at once (`--test-threads`, by default one per core).
const TEST_THREADS: u32 = 2;

/// The largest pool each test can have: threads × pool size ≤ server limit.
const fn pool_size_that_fits() -> u32 {
    SERVER_LIMIT / TEST_THREADS
}
// ANCHOR_END: budget

/// A role whose connections the server caps at `limit`, on `db`. Returns the
/// options to connect as it, and the role's name (to drop afterwards).
async fn role_limited_to(
    db: &TestDatabase,
    limit: u32,
) -> (PgConnectOptions, String) {
    let role = format!("{}_budget", db.name);
    let password = "budget";
    let create = format!(
        "CREATE ROLE {role} LOGIN PASSWORD '{password}' \
         CONNECTION LIMIT {limit}"
    );
    sqlx::query(&create)
        .execute(&db.pool)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "could not create role {role} ({e}); the DATABASE_URL user \
             needs CREATEROLE: ALTER ROLE <that user> CREATEROLE"
            )
        });
    (
        db.connect_options().username(&role).password(password),
        role,
    )
}

/// One "test": a pool of `size` on the limited role, filled at once — as a
/// test does when the app serves concurrent requests. Returns the
/// connections still held, so both tests hold theirs at the same moment.
async fn a_test_filling_its_pool(
    options: PgConnectOptions,
    size: u32,
) -> Result<Vec<PoolConnection<Postgres>>, sqlx::Error> {
    // A short timeout keeps the broken run short; the default is 30 s.
    let pool: PgPool = PgPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy_with(options);
    let mut held = Vec::new();
    for _ in 0..size {
        held.push(pool.acquire().await?);
    }
    Ok(held)
}

/// Runs `TEST_THREADS` tests at once, each filling a pool of `pool_size`,
/// under a server limit of `SERVER_LIMIT`. Cleans up, then returns what
/// each test got.
async fn tests_in_parallel_with_pools_of(
    pool_size: u32,
) -> Vec<Result<usize, String>> {
    let db = testdb::fresh_database(&MIGRATOR).await;
    let (options, role) = role_limited_to(&db, SERVER_LIMIT).await;

    let (first, second) = tokio::join!(
        a_test_filling_its_pool(options.clone(), pool_size),
        a_test_filling_its_pool(options.clone(), pool_size),
    );
    let outcomes = [first, second]
        .map(|r| r.map(|held| held.len()).map_err(|e| format!("{e:?}")));

    // Cleanup before any assertion, so a failing test can't leave the role
    // behind on a shared server. The role owns nothing, so PostgreSQL drops
    // it even while its last sessions are still closing.
    sqlx::query(&format!("DROP ROLE IF EXISTS {role}"))
        .execute(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("could not drop role {role}: {e}"));
    outcomes.into()
}

// ANCHOR: broken -- pools of 3 on 2 threads need 6 connections; the server allows 4
// OUTPUT: output/pool-timed-out.txt
// BROKEN ON PURPOSE: 2 threads × pools of 3 = 6 connections, server allows 4
/// Two tests at once, each with a pool of 3, against a server that allows 4.
#[tokio::test]
#[ignore = "broken on purpose: 2 threads × pools of 3 = 6, server allows 4"]
async fn pools_larger_than_the_budget_time_out() {
    let outcomes = tests_in_parallel_with_pools_of(3).await;

    for outcome in &outcomes {
        assert_eq!(
            outcome,
            &Ok(3),
            "expected each test to get its 3 connections, one got {outcome:?}"
        );
    }
}

/// The oversized pools fail with `PoolTimedOut`, on every run.
#[test]
fn pools_larger_than_the_budget_fail_with_pool_timed_out() {
    expect_failure::assert_fails_because(
        "pool_budget::pools_larger_than_the_budget_time_out",
        &[
            "expected each test to get its 3 connections",
            "Err(\"PoolTimedOut\")",
        ],
    );
}
// ANCHOR_END: broken

// ANCHOR: fixed -- pools sized by the budget fit, with both tests at their peak
// FIXES: pool_budget::pools_larger_than_the_budget_time_out
/// The same two tests with pools sized by the budget (4 / 2 = 2): both get
/// every connection they ask for, at the same time.
#[tokio::test]
async fn pools_sized_by_the_budget_fit_under_the_limit() {
    let size = pool_size_that_fits();
    assert_eq!(
        size * TEST_THREADS,
        SERVER_LIMIT,
        "the budget uses the whole limit and no more"
    );

    let outcomes = tests_in_parallel_with_pools_of(size).await;

    assert_eq!(
        outcomes,
        [Ok(2), Ok(2)],
        "expected both tests to hold 2 connections at once"
    );
}
// ANCHOR_END: fixed
