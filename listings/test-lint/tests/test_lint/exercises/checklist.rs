//! Exercise for "The checklist, proven": make a test pass the checker.
//!
//! The test under review is a string: the checker reads source code, and a
//! string lets the exercise hold a test that is never compiled or run.

use std::path::Path;

use test_lint::{Finding, Options, lint_source_with};

/// Lints `source` as a test file, the way `ci/test-lint` lints the book:
/// `until` (the polling helper's) counts as an assertion.
fn lint(source: &str) -> Vec<Finding> {
    let options = Options {
        assertion_fns: vec!["until".to_owned()],
    };
    lint_source_with(Path::new("tests/api/welcome.rs"), source, &options)
        .expect("the test under review parses")
}

mod starter {
    use super::lint;

    // ANCHOR: starter
    /// A sign-up test as it was first written. It breaks two items of the
    /// checklist; the checker below says which, and where.
    const TEST_UNDER_REVIEW: &str = r#"
#[tokio::test]
async fn a_sign_up_gets_a_welcome_email() {
    let app = spawn_app_with_background_worker().await;
    let email = format!("user{}@example.test", rand::random::<u32>());
    let id = app.sign_up(&email).await;

    std::thread::sleep(std::time::Duration::from_millis(500));

    assert_eq!(app.outbox_status(id).await, "sent");
}
"#;

    /// The test under review passes the before-merging checklist.
    #[test]
    #[ignore = "exercise starter: rewrite TEST_UNDER_REVIEW until the checker finds nothing"]
    fn the_test_under_review_passes_the_checklist() {
        let findings = lint(TEST_UNDER_REVIEW);

        assert!(
            findings.is_empty(),
            "expected no finding, the checker reports:\n{findings:#?}"
        );
    }
    // ANCHOR_END: starter
}

mod solution {
    use super::lint;

    // ANCHOR: solution
    /// The same test, fixed: the email comes from the test's data builder
    /// (unique and replayable), and the test polls until a deadline instead
    /// of sleeping.
    const TEST_UNDER_REVIEW: &str = r#"
#[tokio::test]
async fn a_sign_up_gets_a_welcome_email() {
    let app = spawn_app_with_background_worker().await;
    let mut data = TestData::new();
    let id = app.sign_up(&data.user().email).await;

    poll("the welcome email to be sent")
        .timeout(std::time::Duration::from_secs(10))
        .until(|| app.outbox_status(id), |status| status == "sent")
        .await;
}
"#;

    /// The test under review passes the before-merging checklist.
    #[test]
    fn the_test_under_review_passes_the_checklist() {
        let findings = lint(TEST_UNDER_REVIEW);

        assert!(
            findings.is_empty(),
            "expected no finding, the checker reports:\n{findings:#?}"
        );
    }
    // ANCHOR_END: solution
}
