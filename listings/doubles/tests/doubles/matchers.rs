//! Matchers: say which requests a stub answers. A request that no mock
//! matches gets a 404, which the client sees like any other refusal.

use serde_json::json;
use user_service::email::{EmailError, RetryPolicy};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, body_partial_json, header, method, path},
};

use crate::{
    deadline::{DEADLINE, within},
    helpers::email_client_for_tests,
};

// ANCHOR: exact
/// The client sends exactly the request the email service documents: the
/// verb, the path, the idempotency header, a JSON content type and this body.
#[tokio::test]
async fn the_client_sends_the_documented_request() {
    let email_server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(header("Idempotency-Key", "welcome-7"))
        .and(header("Content-Type", "application/json"))
        // Exact: an extra field, or a missing one, and this mock won't match.
        .and(body_json(
            json!({"to": "ada@example.com", "template": "welcome"}),
        ))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"message_id": "m-1"})),
        )
        .expect(1)
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    let outcome = within(
        DEADLINE,
        "the email client's answer",
        client.send("ada@example.com", "welcome", "welcome-7"),
    )
    .await;

    assert!(
        outcome.is_ok(),
        "the stub accepts exactly this request, but the client got {outcome:?}"
    );
}
// ANCHOR_END: exact

// ANCHOR: partial
/// A stub that only cares about the template: `body_partial_json` matches any
/// body that contains these fields, whatever else it holds.
#[tokio::test]
async fn a_partial_body_matcher_ignores_the_fields_it_does_not_name() {
    let email_server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(body_partial_json(json!({"template": "welcome"})))
        .respond_with(ResponseTemplate::new(202))
        .expect(2)
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    for (recipient, key) in [
        ("ada@example.com", "welcome-1"),
        ("alan@example.com", "welcome-2"),
    ] {
        let outcome = within(
            DEADLINE,
            "the email client's answer",
            client.send(recipient, "welcome", key),
        )
        .await;
        assert!(
            outcome.is_ok(),
            "any recipient matches a stub that names only the template; \
             got {outcome:?}"
        );
    }
}
// ANCHOR_END: partial

// ANCHOR: unmatched
/// A request no mock matches is answered 404 by wiremock: here the template
/// differs, so the client reports a refusal instead of a success.
#[tokio::test]
async fn a_request_that_no_mock_matches_gets_a_404() {
    let email_server = MockServer::start().await;
    Mock::given(body_partial_json(json!({"template": "welcome"})))
        .respond_with(ResponseTemplate::new(202))
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    let outcome = within(
        DEADLINE,
        "the email client's answer to a request no stub matches",
        client.send("ada@example.com", "password-reset", "reset-1"),
    )
    .await;

    assert!(
        matches!(outcome, Err(EmailError::Rejected { status: 404, .. })),
        "an unmatched request must come back as a 404 refusal, got {outcome:?}"
    );
}
// ANCHOR_END: unmatched
