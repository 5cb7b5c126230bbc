//! A matcher of our own: wiremock's `Match` trait. The built-in matchers
//! compare one part of a request with a value given in advance; this one
//! checks a relation between two parts of the same request.

use doubles::welcome::send_welcome;
use serde_json::Value;
use user_service::email::{EmailError, RetryPolicy};
use wiremock::{
    Match, Mock, MockServer, Request, ResponseTemplate, matchers::path,
};

use crate::{
    deadline::{DEADLINE, within},
    helpers::email_client_for_tests,
};

// ANCHOR: matcher -- a custom Match relates the key header to the body
/// Matches when the `Idempotency-Key` header names the email's template:
/// `welcome-7` for a `"template": "welcome"` body. A key that doesn't would
/// let a password-reset email be dropped as a repeat of a welcome email.
struct KeyNamesTheTemplate;

impl Match for KeyNamesTheTemplate {
    fn matches(&self, request: &Request) -> bool {
        let key = request
            .headers
            .get("Idempotency-Key")
            .and_then(|key| key.to_str().ok());
        let body = request.body_json::<Value>().ok();
        let template = body.as_ref().and_then(|b| b["template"].as_str());
        // Anything missing or unreadable is simply not a match.
        match (key, template) {
            (Some(key), Some(template)) => key
                .strip_prefix(template)
                .is_some_and(|rest| rest.starts_with('-')),
            _ => false,
        }
    }
}
// ANCHOR_END: matcher

// ANCHOR: matcher_tests
/// The welcome email's key names its template, so the stub answers it.
#[tokio::test]
async fn the_welcome_email_key_names_the_template() {
    let email_server = MockServer::start().await;
    Mock::given(path("/send"))
        .and(KeyNamesTheTemplate)
        .respond_with(ResponseTemplate::new(202))
        .named("a key that names the template")
        .expect(1)
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    let outcome = within(
        DEADLINE,
        "the welcome email to be sent",
        send_welcome(&client, 7, "ada@example.com"),
    )
    .await;

    assert!(outcome.is_ok(), "the key names the template: {outcome:?}");
}

/// A key made for another template doesn't match, so wiremock answers 404.
#[tokio::test]
async fn a_key_for_another_template_does_not_match() {
    let email_server = MockServer::start().await;
    Mock::given(KeyNamesTheTemplate)
        .respond_with(ResponseTemplate::new(202))
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    // Bounded: a client that retried a 404 forever would otherwise hang here.
    let outcome = within(
        DEADLINE,
        "the email client's answer to a request no stub matches",
        client.send("ada@example.com", "welcome", "reset-7"),
    )
    .await;

    assert!(
        matches!(outcome, Err(EmailError::Rejected { status: 404, .. })),
        "a reset key on a welcome email must miss the stub, got {outcome:?}"
    );
}
// ANCHOR_END: matcher_tests

// ANCHOR: closure -- for a one-off rule, a closure is a matcher too
/// A closure `Fn(&Request) -> bool` is a `Match` as it stands: enough for a
/// rule one test needs, with no type to name.
#[tokio::test]
async fn a_closure_can_be_a_matcher() {
    let email_server = MockServer::start().await;
    let small_json_body = |request: &Request| {
        request.body.len() < 1024 && request.body_json::<Value>().is_ok()
    };
    Mock::given(small_json_body)
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    let outcome = within(
        DEADLINE,
        "the welcome email to be sent",
        send_welcome(&client, 7, "ada@example.com"),
    )
    .await;

    assert!(outcome.is_ok(), "a small JSON body matches: {outcome:?}");
}
// ANCHOR_END: closure
