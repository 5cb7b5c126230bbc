//! Exercise for "Test data you can trust": two users in one test, unique by
//! construction.

mod starter {
    use serde_json::json;

    use crate::helpers::spawn_app;

    // ANCHOR: starter
    /// Two customers sign up in one test, and both get an account.
    #[tokio::test]
    #[ignore = "exercise starter: build the two customers with TestData so their emails can't collide"]
    async fn two_customers_sign_up_and_both_get_an_account() {
        let app = spawn_app().await;
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
}

mod solution {
    use crate::{builders::TestData, helpers::spawn_app};

    // ANCHOR: solution
    /// Two customers sign up in one test, and both get an account.
    #[tokio::test]
    async fn two_customers_sign_up_and_both_get_an_account() {
        let app = spawn_app().await;
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
}
