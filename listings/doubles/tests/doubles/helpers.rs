//! The harness: the user service on a real socket, with its own database and
//! a *retrying* email client pointed wherever the test says, through the
//! loopback guard.
//!
//! It is not the first chapter's `spawn_app`, and its name says so. That one
//! starts a `MockServer` itself and gives the app a client that tries once.
//! The failure-mode tests need two things it can't offer: to bring their own
//! stand-in (a stub that remembers keys, a port where nothing listens), and a
//! client with retries, because retries are what they test.

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

use crate::deadline::{DEADLINE, within};

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

// ANCHOR: spawn_retrying_app -- the test brings the stand-in; the app retries
/// A running user service whose retrying email client talks to whatever
/// the test put at `email_base_url`. Holds no mock server: the test owns it.
pub struct RetryingApp {
    pub address: String,
    pub db: TestDatabase,
    pub http: reqwest::Client,
}

/// Starts the app with a retrying email client aimed at `email_base_url`.
pub async fn spawn_retrying_app(email_base_url: &str) -> RetryingApp {
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
    RetryingApp {
        address,
        db,
        http: reqwest::Client::new(),
    }
}
// ANCHOR_END: spawn_retrying_app

/// The welcome email's row in the outbox, as the app left it.
#[derive(Debug, sqlx::FromRow)]
pub struct OutboxRow {
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub idempotency_key: String,
}

impl RetryingApp {
    pub fn pool(&self) -> &PgPool {
        &self.db.pool
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
        sqlx::query_as(
            "SELECT status, attempts, last_error, idempotency_key \
             FROM email_outbox WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await
        .expect("every user has an outbox row: the email it is owed is kept")
    }
}

// ANCHOR: sign_up_exchange -- print what was sent and what came back
impl RetryingApp {
    /// Signs up `email` and returns the new user's id, asserting the 201: in
    /// every test here the sign-up itself must succeed, whatever the email
    /// service does. On failure it prints the whole exchange.
    pub async fn sign_up(&self, email: &str) -> i64 {
        let body = serde_json::json!({"name": "Ada", "email": email});
        let exchange = self.post("/users", body).await;
        assert_eq!(
            exchange.status, 201,
            "the sign-up must succeed even when email fails\n{exchange}"
        );
        exchange.response["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("a 201 has a numeric id\n{exchange}"))
    }

    /// Sends `body` to `path` and keeps both sides of the conversation.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> Exchange {
        let url = format!("{}{path}", self.address);
        // Bounded: an email client that retried forever would hold the
        // sign-up, and the test with it, until someone killed the run.
        let what = format!("the app's answer to POST {path}");
        let response =
            within(DEADLINE, &what, self.http.post(&url).json(&body).send())
                .await
                .expect("the app answers");
        let status = response.status().as_u16();
        let text = within(DEADLINE, &what, response.text())
            .await
            .expect("the app sends a body");
        Exchange {
            request: format!("POST {url}\n{body}"),
            status,
            // Not JSON is kept as a string, so the report still shows it.
            response: serde_json::from_str(&text)
                .unwrap_or(serde_json::Value::String(text)),
        }
    }
}

/// One request to the app and its answer, as the test saw them. Its
/// `Display` is what a failing assertion prints.
#[derive(Debug)]
pub struct Exchange {
    pub request: String,
    pub status: u16,
    pub response: serde_json::Value,
}

impl std::fmt::Display for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "--- the test sent:\n{}", self.request)?;
        write!(
            f,
            "--- the app answered {}:\n{}",
            self.status, self.response
        )
    }
}
// ANCHOR_END: sign_up_exchange
