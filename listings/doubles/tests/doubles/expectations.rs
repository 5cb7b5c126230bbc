//! Expectations: how many times a stub must be called, checked by wiremock
//! itself when the server (or a scoped mock's guard) is dropped.

use serde_json::json;
use user_service::email::RetryPolicy;
use wiremock::{
    Mock, MockGuard, MockServer, ResponseTemplate,
    matchers::{body_partial_json, method, path},
};

use crate::{
    deadline::{DEADLINE, within},
    helpers::email_client_for_tests,
};

/// A stub for the one welcome email to Ada, which must arrive exactly once.
/// Named, so a failed verification says *which* expectation was not met.
fn one_welcome_email_for_ada() -> Mock {
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(body_partial_json(
            json!({"to": "ada@example.com", "template": "welcome"}),
        ))
        .respond_with(ResponseTemplate::new(202))
        .named("one welcome email for ada")
        .expect(1)
}

// ANCHOR: expect_on_drop
// FIXES: expectations::broken_the_welcome_email_is_never_sent
/// `expect(1)` needs no assertion at the end of the test: when
/// `email_server` goes out of scope, wiremock checks the count and panics if
/// it is off.
#[tokio::test]
async fn an_expectation_is_checked_when_the_server_is_dropped() {
    let email_server = MockServer::start().await;
    one_welcome_email_for_ada().mount(&email_server).await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    let outcome = within(
        DEADLINE,
        "the email client's answer",
        client.send("ada@example.com", "welcome", "welcome-1"),
    )
    .await;

    assert!(
        outcome.is_ok(),
        "the stub accepts a welcome email to ada, but the client got \
         {outcome:?}"
    );
} // <- `email_server` is dropped here: one matching request, as expected.
// ANCHOR_END: expect_on_drop

// ANCHOR: broken_expect
// OUTPUT: output/broken-expect.txt \
//   | sed -E 's#at /[^ ]*/(wiremock-[0-9.]+/)#at CARGO_HOME/.../\1#'
// BROKEN ON PURPOSE: the code under test sends a template the stub doesn't
// match, and the test ignores the client's error; only the expectation,
// checked when the server drops, notices that no welcome email went out.
/// A renamed template ("welcome-v2") means Ada never gets the welcome email.
#[tokio::test]
#[ignore = "broken on purpose: no request matches the named expectation"]
async fn broken_the_welcome_email_is_never_sent() {
    let email_server = MockServer::start().await;
    one_welcome_email_for_ada().mount(&email_server).await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    // The mistake: a template renamed in the code but not in the test.
    let _ = within(
        DEADLINE,
        "the email client's answer",
        client.send("ada@example.com", "welcome-v2", "welcome-1"),
    )
    .await;
}

/// Proves the test above fails, and fails because the named expectation saw
/// no matching request: the panic names the mock and the counts.
#[test]
fn the_unmet_expectation_fails_the_test_and_names_the_mock() {
    expect_failure::assert_fails_because(
        "expectations::broken_the_welcome_email_is_never_sent",
        &[
            "Verifications failed",
            "one welcome email for ada",
            "Expected range of matching incoming requests: == 1",
            "Number of matched incoming requests: 0",
        ],
    );
}
// ANCHOR_END: broken_expect

// ANCHOR: scoped
/// A set-up step that needs the email service, packaged as a helper. The
/// guard it returns keeps the stub mounted; dropping the guard checks the
/// expectation and removes the stub, so the rest of the test can't lean on it.
async fn stub_email_for_setup(email_server: &MockServer) -> MockGuard {
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(202))
        .named("email sent during set-up")
        .expect(1)
        .mount_as_scoped(email_server)
        .await
}

/// A scoped mock answers only while its guard lives. After the scope, the
/// same request finds no stub and gets a 404.
#[tokio::test]
async fn a_scoped_mock_stops_answering_when_its_guard_is_dropped() {
    let email_server = MockServer::start().await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    {
        let _setup = stub_email_for_setup(&email_server).await;
        let during = within(
            DEADLINE,
            "the email client's answer inside the scope",
            client.send("ada@example.com", "welcome", "welcome-1"),
        )
        .await;
        assert!(
            during.is_ok(),
            "inside the scope the set-up stub answers, but got {during:?}"
        );
    } // <- `_setup` dropped: `expect(1)` is verified here, not at the end.

    let after = within(
        DEADLINE,
        "the email client's answer after the scope",
        client.send("ada@example.com", "welcome", "welcome-2"),
    )
    .await;
    let error = after.expect_err(
        "after the scope no stub is mounted, so the call must fail",
    );
    assert!(
        error.to_string().contains("404"),
        "expected wiremock's 404 for an unmatched request, got: {error}"
    );
}
// ANCHOR_END: scoped
