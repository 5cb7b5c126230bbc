//! A test as it looks in your own project: the chapter "Using testdb in
//! your project" shows this region, and the take-home check copies it into
//! a scratch project outside this workspace and runs it there.

// ANCHOR: your_test -- a test in your project gets a migrated database of its own
/// Your migrations: the folder `sqlx migrate add` writes to.
static MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("./example_migrations");

/// A user signs up once: one row, in this test's own database.
#[tokio::test]
async fn a_new_user_is_stored_once() {
    let db = testdb::fresh_database(&MIGRATOR).await;

    sqlx::query("INSERT INTO users (email) VALUES ($1)")
        .bind("ada@example.com")
        .execute(&db.pool)
        .await
        .expect("insert a user");

    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&db.pool)
        .await
        .expect("count users");
    assert_eq!(users, 1, "expected only this test's user, saw {users}");
}
// ANCHOR_END: your_test
