//! The starter: an ignored test that fails until you solve it.

use crate::helpers::spawn_app;

// ANCHOR: starter
/// A user seeded by the test is served by `GET /users/{id}`.
#[tokio::test]
#[ignore = "exercise starter: let the app see the seed, stay isolated"]
async fn a_seeded_user_is_served_by_the_app() {
    let app = spawn_app().await;

    // Seeding "safely" inside a transaction that is never committed…
    let mut tx = app.pool().begin().await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (name, email) \
         VALUES ('Ada', 'ada@example.com') RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();

    let response = app.get_user(id).await;

    assert_eq!(
        response.status(),
        200,
        "GET /users/{id} for the user the test seeded"
    );
}
// ANCHOR_END: starter
