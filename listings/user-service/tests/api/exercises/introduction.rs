//! Exercise for the introduction: read the running example's failure policy
//! and make a test say what the service really does when email is down.

mod starter {
    use serde_json::json;
    use wiremock::{Mock, ResponseTemplate, matchers::path};

    use crate::helpers::spawn_app;

    // ANCHOR: starter
    /// When the email service is down for maintenance, what does a sign-up do?
    /// This test holds a guess. Read the policy at the top of
    /// `listings/user-service/src/users.rs` and make the test state it.
    #[tokio::test]
    #[ignore = "exercise starter: fix the two guessed expectations to match the policy in src/users.rs"]
    async fn a_sign_up_while_email_is_down_keeps_the_user() {
        let app = spawn_app().await;
        Mock::given(path("/send"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&app.email_server)
            .await;

        let response = app
            .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
            .await;

        // A guess: the sign-up fails because its email could not be sent…
        assert_eq!(
            response.status(),
            502,
            "status of a sign-up while the email service answers 503"
        );
        // …and so nobody was stored.
        assert_eq!(
            app.user_count().await,
            0,
            "users stored after a sign-up while the email service answers 503"
        );
    }
    // ANCHOR_END: starter
}

mod solution {
    use serde_json::{Value, json};
    use wiremock::{Mock, ResponseTemplate, matchers::path};

    use crate::helpers::spawn_app;

    // ANCHOR: solution
    /// When the email service is down, the sign-up still succeeds: the user is
    /// kept and the welcome email waits in the outbox for a retry.
    #[tokio::test]
    async fn a_sign_up_while_email_is_down_keeps_the_user() {
        let app = spawn_app().await;
        Mock::given(path("/send"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&app.email_server)
            .await;

        let response = app
            .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
            .await;

        // The client's part, creating the account, succeeded: 201.
        assert_eq!(
            response.status(),
            201,
            "status of a sign-up while the email service answers 503"
        );
        let id = response.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .expect("a 201 carries the new id");
        assert_eq!(
            app.user_count().await,
            1,
            "the user is kept although the email failed"
        );
        // The email is owed, not forgotten: the worker will retry it.
        assert_eq!(
            app.outbox_status(id).await,
            "pending",
            "outbox status of the welcome email that got a 503"
        );
    }
    // ANCHOR_END: solution
}
