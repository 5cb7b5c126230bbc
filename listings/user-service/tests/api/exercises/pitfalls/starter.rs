//! The starter: an ignored test that fails until you solve it.

use crate::helpers::spawn_app;

// ANCHOR: starter
/// A user with an empty name can't be stored, whatever the app checks:
/// the table itself refuses it.
#[tokio::test]
#[ignore = "exercise starter: state what PostgreSQL does with an empty name"]
async fn the_users_table_refuses_an_empty_name() {
    let app = spawn_app().await;

    // Written from a belief, not from a run: "the app validates names,
    // so the table takes whatever it is given"…
    let inserted = sqlx::query(
        "INSERT INTO users (name, email) VALUES ('', 'nobody@example.com')",
    )
    .execute(app.pool())
    .await;

    inserted.expect("an empty name can be stored");
    assert_eq!(
        app.user_count().await,
        1,
        "users after inserting an empty name"
    );
}
// ANCHOR_END: starter
