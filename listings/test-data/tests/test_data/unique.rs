//! Values a test can rely on being unique: by construction, not by chance.

use serde_json::json;

use crate::{builders::TestData, helpers::spawn_app};

// ANCHOR: broken
/// Four sign-ups with random emails all create a user (they don't).
// BROKEN ON PURPOSE: random emails that only look unique collide
#[ignore = "broken on purpose: random emails that only look unique collide"]
#[tokio::test]
async fn broken_random_emails_collide_when_a_test_needs_several_users() {
    let app = spawn_app().await;

    for _ in 0..4 {
        // Random, unseeded, and from only three values, so that four draws
        // collide on every run. From a million values they would collide
        // once in a while: a test that fails one run in a hundred, with
        // values nobody can get back.
        let email = format!("user{}@example.test", rand::random_range(0..3));
        let reply = app
            .post_user(&json!({ "name": "Ann", "email": email }))
            .await;

        assert_eq!(
            reply.status, 201,
            "expected a new user for {email}, got {}: {}",
            reply.status, reply.body
        );
    }
}

/// The random-email test fails on a collision, on every run.
#[test]
fn random_emails_collide_on_every_run() {
    expect_failure::assert_fails_because(
        "unique::broken_random_emails_collide_when_a_test_needs_several_users",
        &[
            "expected a new user for user",
            "got 409 Conflict",
            "a user with this email already exists",
        ],
    );
}
// ANCHOR_END: broken

// ANCHOR: fixed
/// Four sign-ups with builder emails all create a user: each email carries
/// the test's own domain and a serial number, so none can repeat.
#[tokio::test]
async fn builder_emails_never_collide_however_many_users_a_test_makes() {
    let app = spawn_app().await;
    let mut data = TestData::new();

    for _ in 0..4 {
        let user = data.user();
        let reply = app.post_user(&user.json()).await;

        assert_eq!(
            reply.status, 201,
            "expected a new user for {}, got {}: {}",
            user.email, reply.status, reply.body
        );
    }
}
// ANCHOR_END: fixed
