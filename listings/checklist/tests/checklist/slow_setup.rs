//! Slow set-up, made visible without a stopwatch: the migrations table
//! records when the schema was built. If that is after the test started, the
//! schema build was on the test's path, and every test pays it again.

use checklist::MIGRATOR;
use sqlx::PgPool;

/// The database server's own clock, so both instants come from one clock.
async fn server_now(pool: &PgPool) -> String {
    sqlx::query_scalar("SELECT clock_timestamp()::text")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Fails when the newest migration in `pool`'s database was installed after
/// `test_started`: the schema was built on the test's path.
async fn assert_schema_was_ready_before(pool: &PgPool, test_started: &str) {
    let built_before: bool = sqlx::query_scalar(
        "SELECT max(installed_on) < $1::timestamptz FROM _sqlx_migrations",
    )
    .bind(test_started)
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(
        built_before,
        "the migrations ran inside this test (installed after \
         {test_started}): set-up work on every test's path"
    );
}

// ANCHOR: broken -- running the migrations inside each test puts the schema build on every test's path
// OUTPUT: output/slow-setup.txt | grep -A2 'panicked at' | sed -E \
//   's/installed after [0-9: .+-]+\)/installed after TIME)/'
/// Each test creates its own database and runs every migration into it.
// BROKEN ON PURPOSE: the migrations run inside the test, so every test pays
// for building the whole schema.
#[ignore = "broken on purpose: the migrations run inside every test"]
#[tokio::test]
async fn broken_each_test_runs_the_migrations_itself() {
    // Only for a way onto the server:
    let server = testdb::fresh_database(&MIGRATOR).await;
    let test_started = server_now(&server.pool).await;

    // Named after the harness's database, so its sweep of a dead process's
    // databases also removes this one when the assertion below fails.
    let name = format!("{}_own", server.name);
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&server.pool)
        .await
        .unwrap();
    let own = PgPool::connect_with(server.connect_options().database(&name))
        .await
        .unwrap();
    MIGRATOR.run(&own).await.unwrap();

    assert_schema_was_ready_before(&own, &test_started).await;
}

/// The per-test migration fails the check: the schema was built after the
/// test began.
#[test]
fn migrating_in_each_test_puts_the_schema_build_on_its_path() {
    expect_failure::assert_fails_because(
        "slow_setup::broken_each_test_runs_the_migrations_itself",
        &[
            "the migrations ran inside this test",
            "set-up work on every test's path",
        ],
    );
}
// ANCHOR_END: broken

// ANCHOR: fixed -- a clone of a template migrated once is ready before the test starts
// FIXES: slow_setup::broken_each_test_runs_the_migrations_itself
/// The harness's clone carries the template's migrations, built once per
/// process before any test asked: nothing of the schema is on this path.
#[tokio::test]
async fn a_template_clone_was_migrated_before_the_test_started() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    let test_started = server_now(&db.pool).await;

    assert_schema_was_ready_before(&db.pool, &test_started).await;
}
// ANCHOR_END: fixed
