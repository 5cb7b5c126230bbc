//! "Works on my machine": a test that leans on something the developer's
//! machine has and CI's does not. Here it is a variable from the developer's
//! shell profile; a server left running on the laptop behaves the same way.

// ANCHOR: broken -- a test that reads the developer's shell passes there and fails where the variable is unset
// OUTPUT: output/works-locally.txt -EMAIL_BASE_URL | sed -E \
//   's/testdb_[0-9a-f]+_[0-9a-f]+_[0-9]+/testdb_NAME/g'
/// Finds the email stand-in through a variable the developer exported once.
// BROKEN ON PURPOSE: depends on EMAIL_BASE_URL from the developer's shell,
// which nothing in the test or in CI sets.
#[ignore = "broken on purpose: needs EMAIL_BASE_URL from the developer's shell"]
#[test]
fn broken_finds_the_email_stand_in_through_the_shell() {
    let url = std::env::var("EMAIL_BASE_URL")
        .expect("EMAIL_BASE_URL is set (it is, in my shell)");
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "the stand-in listens on loopback, got {url}"
    );
}

/// On the laptop, where the variable happens to be exported, it passes...
#[test]
fn on_the_laptop_the_shell_dependent_test_passes() {
    expect_failure::BrokenRun::new(
        "works_locally::broken_finds_the_email_stand_in_through_the_shell",
    )
    .env("EMAIL_BASE_URL", "http://127.0.0.1:8025")
    .assert_passes();
}

/// ...and in CI, where nobody exported it, the same test fails.
#[test]
fn in_ci_the_shell_dependent_test_fails() {
    expect_failure::BrokenRun::new(
        "works_locally::broken_finds_the_email_stand_in_through_the_shell",
    )
    .env_remove("EMAIL_BASE_URL")
    .assert_fails_because(&[
        "EMAIL_BASE_URL is set (it is, in my shell)",
        "NotPresent",
    ]);
}
// ANCHOR_END: broken

// FIXES: works_locally::broken_finds_the_email_stand_in_through_the_shell
/// Starts its own stand-in on port 0 and takes the URL from it: nothing comes
/// from the shell, so the laptop and CI run the same test.
#[test]
fn finds_the_email_stand_in_it_started_itself() {
    let stand_in = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port on loopback");
    let url = format!("http://{}", stand_in.local_addr().unwrap());
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "the stand-in listens on loopback, got {url}"
    );
}
