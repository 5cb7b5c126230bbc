//! Migrations applied in setup: a test's schema comes from the migrations
//! the app ships, never from SQL written for the test. A copy drifts: the
//! migrations change, the copy doesn't, and the test checks a schema that
//! production never had.

use checklist::{MIGRATOR, Users};
use sqlx::{Executor, PgPool, postgres::PgPoolOptions};
use testdb::TestDatabase;

// ANCHOR: broken -- a schema written for the test drifts from the migrations
/// `users` as a test wrote it by hand long ago, copied from the first
/// migration; `UNIQUE` on the email was lost on the way.
const USERS_BY_HAND: &str = "CREATE TABLE users (
    id    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  TEXT NOT NULL,
    email TEXT NOT NULL
)";

/// A sign-up works on the schema the test built (it doesn't: the
/// hand-made table lacks the unique email the code relies on).
// OUTPUT: output/hand-written-schema.txt | grep -A1 'panicked at'
// BROKEN ON PURPOSE: the test builds its schema by hand, and the copy
// drifted from the migrations
#[ignore = "broken on purpose: the test's schema drifted from the migrations"]
#[tokio::test]
async fn broken_a_test_that_writes_its_own_schema() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    let pool = empty_schema_in(&db).await;
    pool.execute(USERS_BY_HAND).await.unwrap();

    let signed_up = Users::new(pool).sign_up("Ann", "ann@example.test").await;

    if let Err(error) = signed_up {
        panic!("expected the sign-up to work on the test's schema: {error}");
    }
}

/// The sign-up fails on the hand-written schema, with PostgreSQL's reason.
#[test]
fn a_hand_written_schema_fails_the_code_it_was_written_for() {
    expect_failure::assert_fails_because(
        "migrations::broken_a_test_that_writes_its_own_schema",
        &[
            "expected the sign-up to work on the test's schema",
            "no unique or exclusion constraint matching the ON CONFLICT",
        ],
    );
}
// ANCHOR_END: broken

/// A pool whose connections see only a new, empty schema in `db`: the
/// empty database a test that writes its own schema starts from.
async fn empty_schema_in(db: &TestDatabase) -> PgPool {
    db.pool.execute("CREATE SCHEMA by_hand").await.unwrap();
    PgPoolOptions::new()
        .max_connections(1)
        .connect_with(
            db.connect_options().options([("search_path", "by_hand")]),
        )
        .await
        .unwrap()
}

// ANCHOR: fixed
// FIXES: migrations::broken_a_test_that_writes_its_own_schema
/// The harness's database was built by the app's own migrations, so the
/// code meets the schema production has.
#[tokio::test]
async fn the_migrations_build_the_schema_the_code_expects() {
    let db = testdb::fresh_database(&MIGRATOR).await;

    let signed_up = Users::new(db.pool.clone())
        .sign_up("Ann", "ann@example.test")
        .await;

    assert!(
        matches!(signed_up, Ok(Some(_))),
        "expected a new user's id, got {signed_up:?}"
    );
}
// ANCHOR_END: fixed
