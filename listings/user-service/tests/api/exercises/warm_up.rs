//! Not an exercise: the test `cargo xtask warm-up` runs to prove that a
//! machine is ready for the course. It ships in the student bundle, which
//! leaves every exercise solution out, so the proof must not be one; and
//! it gives no exercise away: it starts the app and signs one user up.

use serde_json::json;
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

/// The app starts against a fresh database of its own and accepts a
/// sign-up: PostgreSQL, the harness and the email stand-in all work here.
#[tokio::test]
async fn the_app_starts_on_a_fresh_database_and_accepts_a_sign_up() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;

    let response = app
        .post_user(&json!({"name": "Ada Lovelace", "email": "ada@example.com"}))
        .await;

    assert_eq!(
        response.status(),
        201,
        "a valid sign-up is stored and answered with 201"
    );
}
