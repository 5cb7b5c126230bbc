//! The harness: start the app the way production does, but wired to a
//! database of its own and a stand-in email service. Read it in one sitting.

use std::{sync::Arc, time::Duration};

use axum::Router;
use sqlx::PgPool;
use testdb::TestDatabase;
use user_service::{
    AppConfig, Jobs, MIGRATOR, app, app_with, email::EmailClient, serve,
};
use wiremock::MockServer;

use crate::deadline::DEADLINE;

/// How long the app waits for the email service in tests. Short, so the
/// "email service too slow" test finishes quickly; long enough that a busy CI
/// machine doesn't trip it in the tests where the stub answers at once.
pub const EMAIL_TIMEOUT: Duration = Duration::from_millis(500);

// ANCHOR: test_app -- the first version's TestApp, plus the email stand-in
/// A running app and the handles a test needs to look around it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`: the app on a real socket.
    pub address: String,
    /// This test's own database; dropped (with the app's data) after the test.
    pub db: TestDatabase,
    /// Stands in for the email service; checks its `expect`s when dropped.
    pub email_server: MockServer,
    pub http: reqwest::Client,
}
// ANCHOR_END: test_app

// ANCHOR: spawn_app -- the first harness, grown by a stand-in email service
/// Starts the app on a free port with its own database and a mock email
/// service, and returns once it accepts connections.
pub async fn spawn_app() -> TestApp {
    let email_server = MockServer::start().await;
    let db = testdb::fresh_database(&MIGRATOR).await;
    let router = app(test_config(&db, &email_server));
    serve_on_a_free_port(router, db, email_server).await
}

/// The config a test app runs with: the test's database, the mock as the
/// email service.
pub fn test_config(db: &TestDatabase, email_server: &MockServer) -> AppConfig {
    AppConfig {
        pool: db.pool.clone(),
        email_base_url: email_server
            .uri()
            .parse()
            .expect("wiremock gives a valid URL"),
        email_timeout: EMAIL_TIMEOUT,
    }
}

async fn serve_on_a_free_port(
    router: Router,
    db: TestDatabase,
    email_server: MockServer,
) -> TestApp {
    // Port 0: the OS picks a free port, so tests can run in parallel.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    // The listener is already bound, so requests queue up until the server
    // task runs: no need to wait for "ready".
    tokio::spawn(serve(listener, router));

    TestApp {
        address,
        db,
        email_server,
        http: reqwest::Client::new(),
    }
}
// ANCHOR_END: spawn_app

/// [`spawn_app`] with a say in background jobs (chapter "Jobs, queues and
/// workers"): leave the email to the worker, or hand the app a fake queue.
pub async fn spawn_app_with(jobs: Jobs) -> TestApp {
    let email_server = MockServer::start().await;
    let db = testdb::fresh_database(&MIGRATOR).await;
    let router = app_with(test_config(&db, &email_server), jobs);
    serve_on_a_free_port(router, db, email_server).await
}

// ANCHOR: test_app_methods -- a method per user action hides HTTP plumbing
impl TestApp {
    pub fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    /// `POST /users` with a JSON body.
    pub async fn post_user(
        &self,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.post_user_raw(body.to_string(), "application/json")
            .await
    }

    /// `POST /users` with any body, for tests of malformed input.
    pub async fn post_user_raw(
        &self,
        body: String,
        content_type: &str,
    ) -> reqwest::Response {
        self.http
            .post(format!("{}/users", self.address))
            .header("content-type", content_type)
            .body(body)
            .timeout(DEADLINE) // a hung handler fails the test, not the run
            .send()
            .await
            .expect("the app answers POST /users within the deadline")
    }

    pub async fn get_user(&self, id: i64) -> reqwest::Response {
        self.http
            .get(format!("{}/users/{id}", self.address))
            .timeout(DEADLINE)
            .send()
            .await
            .expect("the app answers GET /users/{id} within the deadline")
    }

    /// An email client aimed at the mock, for a worker the test runs itself.
    pub fn email_client(&self) -> Arc<EmailClient> {
        Arc::new(EmailClient::new(
            self.email_server.uri().parse().unwrap(),
            EMAIL_TIMEOUT,
        ))
    }

    /// Signs up a user with this email and returns its id; panics unless 201.
    pub async fn sign_up(&self, email: &str) -> i64 {
        let response = self
            .post_user(
                &serde_json::json!({"name": "Test User", "email": email}),
            )
            .await;
        let status = response.status();
        let body: serde_json::Value =
            response.json().await.expect("POST /users answers JSON");
        assert_eq!(
            status, 201,
            "sign-up of {email} should succeed; body: {body}"
        );
        body["id"].as_i64().expect("the 201 body has a numeric id")
    }

    /// The welcome email's status for a user: pending, sent or dead.
    pub async fn outbox_status(&self, user_id: i64) -> String {
        sqlx::query_scalar("SELECT status FROM email_outbox WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(self.pool())
            .await
            .expect("every user has an outbox row")
    }

    /// A user's whole outbox row: (status, attempts, last_error).
    pub async fn outbox_row(
        &self,
        user_id: i64,
    ) -> (String, i32, Option<String>) {
        sqlx::query_as(
            "SELECT status, attempts, last_error FROM email_outbox
             WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await
        .expect("every user has an outbox row")
    }

    /// Rows in `users`, for "nothing was written" assertions.
    pub async fn user_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(self.pool())
            .await
            .unwrap()
    }
}
// ANCHOR_END: test_app_methods
