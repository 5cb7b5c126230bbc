//! Your first integration test: a request in over real HTTP, a row out in
//! PostgreSQL, checked with SQL.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

// ANCHOR: first_test
/// A sign-up answers 201 with an id, and that id's row holds what was sent.
// OUTPUT: output/first-test.txt
// OUTPUT: output/rust-log.txt RUST_LOG=user_service_v1=info --nocapture
#[tokio::test]
async fn creating_a_user_stores_it() {
    // 1. Create the environment: the app, with a fresh, migrated database.
    let app = spawn_app().await;

    // 2. Seed: nothing. A sign-up needs no rows, and the database is empty.

    // 3. Act through the real interface: HTTP on a real socket.
    let response = app
        .post_user(&json!({"name": "Ada Lovelace", "email": "ada@example.com"}))
        .await;

    // 4. Assert the answer, then what was stored, with SQL.
    assert_eq!(response.status(), 201, "a new user is created");
    let body: Value = response.json().await.expect("a JSON body");
    let id = body["id"].as_i64().expect("the body has a numeric id");

    let (name, email): (String, String) =
        sqlx::query_as("SELECT name, email FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(app.pool())
            .await
            .expect("the user row exists");
    assert_eq!(
        (name.as_str(), email.as_str()),
        ("Ada Lovelace", "ada@example.com")
    );
    // 5. Tear down: nothing to write. Dropping `app` drops the database.
}
// ANCHOR_END: first_test

// ANCHOR: read_back
/// What `POST /users` stored, `GET /users/{id}` returns.
#[tokio::test]
async fn a_created_user_can_be_read_back() {
    let app = spawn_app().await;
    let created: Value = app
        .post_user(&json!({"name": "Grace", "email": "grace@example.com"}))
        .await
        .json()
        .await
        .unwrap();

    let response = app.get_user(created["id"].as_i64().unwrap()).await;

    assert_eq!(response.status(), 200);
    let user: Value = response.json().await.unwrap();
    let expected = json!({
        "id": created["id"],
        "name": "Grace",
        "email": "grace@example.com",
    });
    assert_eq!(user, expected);
}

/// An id nobody created is a 404, not a 500.
#[tokio::test]
async fn an_unknown_id_is_a_404() {
    let app = spawn_app().await;

    let response = app.get_user(424242).await;

    assert_eq!(response.status(), 404);
}
// ANCHOR_END: read_back

// ANCHOR: duplicate -- the rule no unit test can see: one account per address
/// The same address twice, in other capitals and with spaces, is a 409 and
/// leaves one row.
#[tokio::test]
async fn a_second_sign_up_with_the_same_email_is_refused() {
    let app = spawn_app().await;

    let first = app
        .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
        .await;
    let second = app
        .post_user(&json!({"name": "Ada again", "email": " ADA@example.com"}))
        .await;

    assert_eq!(first.status(), 201);
    assert_eq!(second.status(), 409, "the address is already taken");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(rows, 1, "a refused sign-up stores nothing");
}
// ANCHOR_END: duplicate
