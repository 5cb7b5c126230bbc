//! The harness: the user service on a real socket, with its own database and
//! an email client pointed wherever the test says, through the loopback guard.

use std::{sync::Arc, time::Duration};

use doubles::require_loopback;
use sqlx::PgPool;
use testdb::TestDatabase;
use url::Url;
use user_service::{
    AppState, MIGRATOR,
    email::{EmailClient, RetryPolicy},
    router, serve,
};

/// Per-call timeout for the email client in these tests: short, so the
/// "too slow" tests are quick, and far above what a stub that answers at once
/// needs on a busy machine.
pub const EMAIL_TIMEOUT: Duration = Duration::from_millis(300);

/// The retry policy the app runs with in these tests: three tries, 20 ms then
/// 40 ms apart. Small waits keep the suite fast; the shape is production's.
pub const RETRIES: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    first_backoff: Duration::from_millis(20),
};

// ANCHOR: guarded_client
/// The only way tests in this crate build an email client: the URL must be on
/// this machine. A real address panics here, before any request is made.
pub fn email_client_for_tests(
    base_url: &str,
    retry: RetryPolicy,
) -> EmailClient {
    let url: Url = base_url
        .parse()
        .unwrap_or_else(|e| panic!("{base_url:?} is not a URL: {e}"));
    if let Err(error) = require_loopback(&url) {
        panic!("{error}");
    }
    EmailClient::new(url, EMAIL_TIMEOUT).with_retries(retry)
}
// ANCHOR_END: guarded_client

/// A running user service whose email client talks to `email_base_url`.
pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub http: reqwest::Client,
}

/// Starts the app with a retrying email client aimed at `email_base_url`.
pub async fn spawn_app(email_base_url: &str) -> TestApp {
    // Checked before the database is made: a wrong URL costs nothing.
    let email = email_client_for_tests(email_base_url, RETRIES);
    let db = testdb::fresh_database(&MIGRATOR).await;
    let state = AppState {
        pool: db.pool.clone(),
        email: Arc::new(email),
    };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, router(state)));
    TestApp {
        address,
        db,
        http: reqwest::Client::new(),
    }
}

/// The welcome email's row in the outbox, as the app left it.
#[derive(Debug, sqlx::FromRow)]
pub struct OutboxRow {
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub idempotency_key: String,
}

impl TestApp {
    pub fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    /// Signs up `email` and returns the new user's id, asserting the 201: in
    /// every test here the sign-up itself must succeed, whatever the email
    /// service does.
    pub async fn sign_up(&self, email: &str) -> i64 {
        let response = self
            .http
            .post(format!("{}/users", self.address))
            .json(&serde_json::json!({"name": "Ada", "email": email}))
            .send()
            .await
            .expect("the app answers");
        let status = response.status();
        let body: serde_json::Value =
            response.json().await.expect("the app answers JSON");
        assert_eq!(
            status, 201,
            "the sign-up must succeed even when email fails; body: {body}"
        );
        body["id"].as_i64().expect("a 201 body has a numeric id")
    }

    /// The policy in one call: the user is there, and so is its outbox row.
    pub async fn user_and_outbox(&self, user_id: i64) -> OutboxRow {
        let users: i64 =
            sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(self.pool())
                .await
                .unwrap();
        assert_eq!(
            users, 1,
            "the user must be kept whatever the email service did"
        );
        sqlx::query_as("SELECT status, attempts, last_error, idempotency_key FROM email_outbox WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(self.pool())
            .await
            .expect("every user has an outbox row: the email it is owed is never lost")
    }
}
