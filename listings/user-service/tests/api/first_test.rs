//! Your first integration test, grown: real HTTP in, a real row out, and the
//! welcome email checked at the boundary where it leaves the app.

use serde_json::{Value, json};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{body_json, method, path},
};

use crate::helpers::spawn_app;

// ANCHOR: first_test
// OUTPUT: output/first-test.txt
/// A sign-up stores the user and asks for exactly one welcome email.
#[tokio::test]
async fn creating_a_user_stores_it_and_sends_one_welcome_email() {
    // 1. Create the environment: app, fresh database, mock email service.
    let app = spawn_app().await;

    // 2. Seed: nothing to seed for a sign-up; we only tell the stub what to
    //    accept. `expect(1)` is checked when `app` is dropped at the end.
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(body_json(
            json!({"to": "ada@example.com", "template": "welcome"}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;

    // 3. Act through the real interface: an HTTP request on a real socket.
    let response = app
        .post_user(&json!({"name": "Ada Lovelace", "email": "ada@example.com"}))
        .await;

    // 4. Assert the response, the state it left, and (when `app` is dropped)
    //    the side effect: exactly one call to the email service.
    assert_eq!(
        response.status(),
        201,
        "body: {}",
        response.text().await.unwrap()
    );
    let body: Value = response.json().await.unwrap();
    let id = body["id"].as_i64().expect("201 body has a numeric id");

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

    // 5. Tear down: dropping `app` stops the mock (verifying `expect(1)`) and
    //    hands the database back to be dropped. Nothing to write by hand.
}
// ANCHOR_END: first_test

// ANCHOR: read_back
/// What `POST /users` stored, `GET /users/{id}` returns.
#[tokio::test]
async fn a_created_user_can_be_read_back() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;

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

/// An id nobody created is a 404 with a JSON error, not a 500.
#[tokio::test]
async fn an_unknown_id_is_a_404() {
    let app = spawn_app().await;

    let response = app.get_user(424242).await;

    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}
// ANCHOR_END: read_back

// ANCHOR: outbox_sent -- the outbox row records that the email went out
/// After a sign-up whose welcome email was accepted, the outbox row says
/// `sent`, so no worker will send it again.
#[tokio::test]
async fn an_accepted_welcome_email_is_marked_sent_in_the_outbox() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;

    let id = app.sign_up("ada@example.com").await;

    assert_eq!(
        app.outbox_status(id).await,
        "sent",
        "the app records that the email went out"
    );
}
// ANCHOR_END: outbox_sent
