//! The solution: the same test, solved; `cargo test` runs it.

use crate::helpers::spawn_app;

// ANCHOR: solution
/// A user seeded by the test is served by `GET /users/{id}`.
#[tokio::test]
async fn a_seeded_user_is_served_by_the_app() {
    let app = spawn_app().await;

    // The app reads through its own pool, so it sees committed rows only.
    // Committing is safe: this database belongs to this test alone and is
    // dropped after it, so no other test can ever see Ada.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (name, email) \
         VALUES ('Ada', 'ada@example.com') RETURNING id",
    )
    .fetch_one(app.pool())
    .await
    .unwrap();

    let response = app.get_user(id).await;

    assert_eq!(
        response.status(),
        200,
        "GET /users/{id} for the user the test seeded"
    );
}
// ANCHOR_END: solution
