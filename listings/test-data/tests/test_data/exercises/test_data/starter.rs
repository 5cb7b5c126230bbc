//! The starter: an ignored test that fails until you solve it.

use serde_json::json;

use crate::helpers::spawn_reporting_app;

// ANCHOR: starter
/// Two customers sign up in one test, and both get an account.
#[tokio::test]
#[ignore = "exercise starter: build both customers with TestData"]
async fn two_customers_sign_up_and_both_get_an_account() {
    let app = spawn_reporting_app().await;
    // The test is about "two customers", not about their addresses; the
    // second one was copied from the first.
    let customers = [
        json!({"name": "Ada Lovelace", "email": "customer@example.com"}),
        json!({"name": "Grace Hopper", "email": "customer@example.com"}),
    ];

    for customer in &customers {
        let reply = app.post_user(customer).await;
        assert_eq!(
            reply.status, 201,
            "expected {customer} to get an account, got {}: {}",
            reply.status, reply.body
        );
    }
}
// ANCHOR_END: starter
