//! The solution: the same test, solved; `cargo test` runs it.

use serde_json::{Value, json};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

// ANCHOR: solution
/// Spaces around a name and an email are not stored: the row holds both
/// trimmed, and the email in lower case.
#[tokio::test]
async fn a_sign_up_stores_the_name_and_email_trimmed() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;

    let response = app
        .post_user(
            &json!({"name": "  Ada Lovelace ", "email": " Ada@Example.COM "}),
        )
        .await;

    assert_eq!(
        response.status(),
        201,
        "a sign-up with spaces around its fields is accepted"
    );
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .expect("a 201 carries the new id");
    // Through SQL, not `GET /users/{id}`: this is what was stored, not
    // what the app chooses to show.
    let (name, email): (String, String) =
        sqlx::query_as("SELECT name, email FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(app.pool())
            .await
            .expect("the user row exists");
    assert_eq!(name, "Ada Lovelace", "stored name of user {id}");
    assert_eq!(email, "ada@example.com", "stored email of user {id}");
}
// ANCHOR_END: solution
