//! Values a test can rely on being unique: by construction, not by chance.

use serde_json::json;

use crate::{builders::TestData, helpers::spawn_reporting_app};

// ANCHOR: broken
// OUTPUT: /listings/checklist/output/random-emails.txt | grep -A3 'panicked \
//   at' | sed -E 's/user[0-9]@/userN@/'
/// Four sign-ups with random emails all create a user (they don't).
// BROKEN ON PURPOSE: random emails that only look unique collide
#[ignore = "broken on purpose: random emails that only look unique collide"]
#[tokio::test]
async fn broken_random_emails_collide_when_a_test_needs_several_users() {
    let app = spawn_reporting_app().await;

    for _ in 0..4 {
        // Random, unseeded, and from only three values, so that four draws
        // collide on every run. From 10,000 values they would collide about
        // once in 1,700 runs (`collision_chance` below): a failure too rare
        // to be taken seriously, with values nobody can get back.
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
// FIXES: unique::broken_random_emails_collide_when_a_test_needs_several_users
/// Four sign-ups with builder emails all create a user: each email carries
/// the test's own domain and a serial number, so none can repeat.
#[tokio::test]
async fn builder_emails_never_collide_however_many_users_a_test_makes() {
    let app = spawn_reporting_app().await;
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

// ANCHOR: odds -- the odds of a collision, computed rather than guessed
/// The chance that some two of `draws` values, each drawn uniformly from
/// `values` possible ones, are equal (the birthday problem).
fn collision_chance(draws: u32, values: u32) -> f64 {
    let all_different: f64 = (0..draws)
        .map(|i| f64::from(values - i) / f64::from(values))
        .product();
    1.0 - all_different
}

/// Four random four-digit numbers collide in about one run in 1,700, and
/// four from a million in about one run in 170,000: rare, not never.
#[test]
fn random_emails_collide_rarely_which_is_worse_than_always() {
    let four_digits = 1.0 / collision_chance(4, 10_000);
    let a_million = 1.0 / collision_chance(4, 1_000_000);

    assert!(
        (1_650.0..1_700.0).contains(&four_digits),
        "expected about one run in 1,700, computed one in {four_digits:.0}"
    );
    assert!(
        (165_000.0..170_000.0).contains(&a_million),
        "expected about one run in 170,000, computed one in {a_million:.0}"
    );
}
// ANCHOR_END: odds
