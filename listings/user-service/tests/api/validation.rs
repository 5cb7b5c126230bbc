//! Bad input is refused with a JSON error and changes nothing: no row, no
//! email.

use serde_json::{Value, json};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::{TestApp, spawn_app};

/// Mounts an email stub that must never be called: a refused sign-up must not
/// send anything. Checked when the test's `TestApp` is dropped.
async fn expect_no_email(app: &TestApp) {
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .named("no email for a refused sign-up")
        .mount(&app.email_server)
        .await;
}

// ANCHOR: bad_input
/// Each malformed body gets the 4xx axum or our validation picks, a JSON
/// error, and leaves the database empty.
#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    expect_no_email(&app).await;
    let oversized = format!(
        r#"{{"name": "{}", "email": "big@example.com"}}"#,
        "x".repeat(20_000)
    );
    let cases: [(&str, String, &str, u16); 9] = [
        (
            "malformed JSON",
            r#"{"name": "Ada","#.into(),
            "application/json",
            400,
        ),
        (
            "not JSON at all",
            "name=Ada".into(),
            "application/x-www-form-urlencoded",
            415,
        ),
        (
            "missing email",
            r#"{"name": "Ada"}"#.into(),
            "application/json",
            422,
        ),
        (
            "unknown field",
            r#"{"name": "Ada", "email": "a@example.com", "admin": true}"#
                .into(),
            "application/json",
            422,
        ),
        (
            "empty name",
            r#"{"name": "  ", "email": "a@example.com"}"#.into(),
            "application/json",
            422,
        ),
        (
            "empty email",
            r#"{"name": "Ada", "email": ""}"#.into(),
            "application/json",
            422,
        ),
        (
            "malformed email",
            r#"{"name": "Ada", "email": "not-an-email"}"#.into(),
            "application/json",
            422,
        ),
        (
            "email with two @",
            r#"{"name": "Ada", "email": "a@b@example.com"}"#.into(),
            "application/json",
            422,
        ),
        ("oversized body", oversized, "application/json", 413),
    ];

    for (case, body, content_type, expected_status) in cases {
        let response = app.post_user_raw(body, content_type).await;

        let status = response.status().as_u16();
        let error: Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{case}: error body is not JSON: {e}"));
        assert_eq!(
            status, expected_status,
            "{case}: wrong status; body was {error}"
        );
        assert!(
            error["error"].is_string() && error["detail"].is_string(),
            "{case}: error body {error} lacks error/detail"
        );
    }
    assert_eq!(
        app.user_count().await,
        0,
        "a refused sign-up must not store a user"
    );
}
// ANCHOR_END: bad_input

// ANCHOR: duplicate
/// The same email twice: one user, one email, and a 409 for the second try,
/// even when it differs in case and spacing.
#[tokio::test]
async fn a_duplicate_email_is_a_409_with_no_second_row_and_no_second_email() {
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;

    let first = app
        .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
        .await;
    let second = app
        .post_user(
            &json!({"name": "Another Ada", "email": "  ADA@example.com "}),
        )
        .await;

    assert_eq!(first.status(), 201);
    assert_eq!(second.status(), 409);
    let error: Value = second.json().await.unwrap();
    assert_eq!(error["error"], "email_taken");
    assert_eq!(app.user_count().await, 1);
}
// ANCHOR_END: duplicate
