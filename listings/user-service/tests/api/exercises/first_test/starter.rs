//! The starter: an ignored test that fails until you solve it.

use serde_json::{Value, json};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

// ANCHOR: starter
/// Spaces around a name and an email are not stored: the row holds both
/// trimmed, and the email in lower case.
#[tokio::test]
#[ignore = "exercise starter: SELECT the stored name and email"]
// Until the todo!() is replaced, the lines after it can't run (and `id`
// looks unused); say so to the compiler and to clippy instead of letting
// them warn.
#[allow(unreachable_code, unused_variables, clippy::diverging_sub_expression)]
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
    // Read the row from the `users` table with sqlx (see the first test).
    let (name, email): (String, String) =
        todo!("SELECT name, email FROM users for this id");
    assert_eq!(name, "Ada Lovelace", "stored name of user {id}");
    assert_eq!(email, "ada@example.com", "stored email of user {id}");
}
// ANCHOR_END: starter
