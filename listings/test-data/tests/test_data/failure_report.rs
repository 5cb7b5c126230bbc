//! A failure that explains itself: the response, the rows and the app's own
//! logs, printed only when a test fails.

use crate::{builders::TestData, helpers::spawn_reporting_app};

// ANCHOR: broken
/// A new customer signs up and gets an account (but a fixture took the email).
// OUTPUT: output/failure-report.txt TEST_SEED=1 \
// | sed -E 's/testdb_[0-9a-f]+_[0-9a-f]+_[0-9]+/testdb_NAME/g'
// OUTPUT: output/failure-report-debug.txt TEST_SEED=1 RUST_LOG=debug \
// | sed -n '/logs of this test/,/end of failure/p'
// BROKEN ON PURPOSE: the fixture and the test both hard-code one email
#[ignore = "broken on purpose: the fixture and the test hard-code one email"]
#[tokio::test]
async fn broken_sign_up_collides_with_a_hard_coded_fixture_email() {
    let app = spawn_reporting_app().await;
    let mut data = TestData::new();
    // An existing customer, as many tests need. Its email is spelt out
    // although no assertion is about it: that is the bug.
    data.user()
        .email("ann@example.test")
        .insert(&app.db.pool)
        .await;

    let reply = app
        .post_user(&data.user().email("ann@example.test").json())
        .await;

    assert_eq!(
        reply.status, 201,
        "expected the sign-up to create a user, got {}: {}",
        reply.status, reply.body
    );
}

/// The failing test prints its request id, the response it got, the rows
/// that explain it and its app's log lines.
#[test]
fn a_failing_test_prints_the_response_the_rows_and_its_own_logs() {
    let test = "failure_report::\
                broken_sign_up_collides_with_a_hard_coded_fixture_email";
    let request_id = format!("{test}#1");
    expect_failure::assert_fails_because(
        test,
        &[
            "expected the sign-up to create a user, got 409 Conflict",
            // The response: status, headers (the request id among them), body.
            "POST /users -> 409 Conflict",
            &format!("x-request-id: {request_id}"),
            r#"{"detail":"a user with this email already exists","#,
            r#""error":"email_taken"}"#,
            // The row that explains the 409.
            r#""email":"ann@example.test""#,
            // The app's own log line for that request.
            &format!(
                "request_id={request_id}}}: tower_http::trace::on_response: \
                 finished processing request"
            ),
            // How to get the same data again.
            "TEST_SEED=",
        ],
    );
}
// ANCHOR_END: broken

// ANCHOR: fixed
// FIXES: failure_report::\
//     broken_sign_up_collides_with_a_hard_coded_fixture_email
/// A new customer signs up next to an existing one and gets an account.
#[tokio::test]
async fn sign_up_next_to_an_existing_customer_creates_a_user() {
    let app = spawn_reporting_app().await;
    let mut data = TestData::new();
    // The builder picks an email no other user of this test has.
    data.user().insert(&app.db.pool).await;

    let reply = app.post_user(&data.user().json()).await;

    assert_eq!(
        reply.status, 201,
        "expected the sign-up to create a user, got {}: {}",
        reply.status, reply.body
    );
}
// ANCHOR_END: fixed
