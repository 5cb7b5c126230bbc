//! The solution: the same test, solved; `cargo test` runs it.

use crate::helpers::spawn_app;

// ANCHOR: solution
/// A user with an empty name can't be stored, whatever the app checks:
/// the table itself refuses it.
#[tokio::test]
async fn the_users_table_refuses_an_empty_name() {
    let app = spawn_app().await;

    let inserted = sqlx::query(
        "INSERT INTO users (name, email) VALUES ('', 'nobody@example.com')",
    )
    .execute(app.pool())
    .await;

    let error = inserted.expect_err(
        "the CHECK (name <> '') in the migration refuses an empty name",
    );
    let code = error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.into_owned());
    // 23514 is PostgreSQL's check_violation: the constraint, not a typo in
    // the SQL.
    assert_eq!(
        code.as_deref(),
        Some("23514"),
        "error code for an empty name; the error: {error}"
    );
    assert_eq!(app.user_count().await, 0, "users after the refused insert");
}
// ANCHOR_END: solution
