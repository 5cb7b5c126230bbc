//! The guard against real network calls: tests build their email client
//! through `email_client_for_tests`, which refuses any URL off this machine.

use doubles::require_loopback;
use url::Url;
use user_service::email::RetryPolicy;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

use crate::{
    deadline::{DEADLINE, within},
    helpers::email_client_for_tests,
};

// ANCHOR: guard_table
// test-lint: allow(non-loopback-url) -- addresses the guard must refuse
/// Loopback addresses pass; anything that could leave the machine is refused
/// with a message that says what to do instead.
#[test]
fn only_loopback_urls_pass_the_guard() {
    let cases = [
        ("http://127.0.0.1:8080/", true),
        ("http://127.3.4.5/", true),
        ("http://[::1]:9000/", true),
        ("http://LOCALHOST:3000/", true),
        ("https://api.mail-provider.example/", false),
        ("http://10.0.0.7/", false),
        ("http://192.168.1.20:8080/", false),
        ("http://[2001:db8::1]/", false),
        // A name that merely starts like one is still a DNS name.
        ("http://localhost.mail-provider.example/", false),
    ];
    for (url, allowed) in cases {
        let verdict = require_loopback(&Url::parse(url).unwrap());
        assert_eq!(
            verdict.is_ok(),
            allowed,
            "{url}: expected allowed={allowed}, got {verdict:?}"
        );
        if let Err(error) = verdict {
            assert!(
                error.to_string().contains("MockServer::start"),
                "the refusal must say how to fix it: {error}"
            );
        }
    }
}
// ANCHOR_END: guard_table

// ANCHOR: broken_guard
/// The URL the team's staging config uses: copied into a test by mistake.
const STAGING_EMAIL_URL: &str = "https://email.staging.mail-provider.example/";

// OUTPUT: output/broken-guard.txt
// BROKEN ON PURPOSE: the test points the client at a real email service.
// The guard panics before a socket is opened or a request is made.
/// A welcome-email test wired to staging instead of a stub.
#[tokio::test]
#[ignore = "broken on purpose: the email URL is not on this machine"]
async fn broken_a_test_wired_to_the_real_email_service() {
    let client = email_client_for_tests(STAGING_EMAIL_URL, RetryPolicy::NONE);

    let outcome = client.send("ada@example.com", "welcome", "welcome-1").await;

    assert!(
        outcome.is_ok(),
        "the welcome email was refused: {outcome:?}"
    );
}

/// Proves the guard stops that test, and says why.
#[test]
fn the_guard_stops_a_test_that_would_call_a_real_service() {
    expect_failure::assert_fails_because(
        "guard::broken_a_test_wired_to_the_real_email_service",
        &[
            "refusing to use https://email.staging.mail-provider.example/",
            "not a loopback address",
        ],
    );
}
// ANCHOR_END: broken_guard

// FIXES: guard::broken_a_test_wired_to_the_real_email_service
/// The same welcome-email test wired to a stand-in on this machine, as the
/// guard's message says: it gets through.
#[tokio::test]
async fn a_test_wired_to_a_stand_in_on_this_machine() {
    let email_server = MockServer::start().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    let outcome = within(
        DEADLINE,
        "the email client's answer",
        client.send("ada@example.com", "welcome", "welcome-1"),
    )
    .await;

    assert!(
        outcome.is_ok(),
        "the welcome email was refused: {outcome:?}"
    );
}
