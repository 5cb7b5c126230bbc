//! The solution: the same test, solved; `cargo test` runs it.

use crate::{builders::TestData, helpers::spawn_reporting_app};

// ANCHOR: solution
/// Two customers sign up in one test, and both get an account.
#[tokio::test]
async fn two_customers_sign_up_and_both_get_an_account() {
    let app = spawn_reporting_app().await;
    let mut data = TestData::new();
    // Each builder email carries the test's own domain and a serial
    // number: different by construction, and the same on every run.
    let customers = [data.user().json(), data.user().json()];

    for customer in &customers {
        let reply = app.post_user(customer).await;
        assert_eq!(
            reply.status, 201,
            "expected {customer} to get an account, got {}: {}",
            reply.status, reply.body
        );
    }
}
// ANCHOR_END: solution
