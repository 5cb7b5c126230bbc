//! The harness: start the app the way production does, but wired to a
//! database of its own and a stand-in email service. Read it in one sitting.

use std::time::Duration;

use sqlx::PgPool;
use testdb::TestDatabase;
use user_service::{AppConfig, MIGRATOR, app, serve};
use wiremock::MockServer;

/// How long the app waits for the email service in tests. Short, so the
/// "email service too slow" test finishes quickly; long enough that a busy CI
/// machine doesn't trip it in the tests where the stub answers at once.
pub const EMAIL_TIMEOUT: Duration = Duration::from_millis(500);

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

// ANCHOR: spawn_app
/// Starts the app on a free port with its own database and a mock email
/// service, and returns once it accepts connections.
pub async fn spawn_app() -> TestApp {
    let email_server = MockServer::start().await;
    let db = testdb::fresh_database(&MIGRATOR).await;
    let config = test_config(&db, &email_server);

    // Port 0: the OS picks a free port, so tests can run in parallel.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    // The listener is already bound, so requests queue up until the server
    // task runs: no need to wait for "ready".
    tokio::spawn(serve(listener, app(config)));

    TestApp { address, db, email_server, http: reqwest::Client::new() }
}

/// The config a test app runs with: the test's database, the mock as the
/// email service.
pub fn test_config(db: &TestDatabase, email_server: &MockServer) -> AppConfig {
    AppConfig {
        pool: db.pool.clone(),
        email_base_url: email_server.uri().parse().expect("wiremock gives a valid URL"),
        email_timeout: EMAIL_TIMEOUT,
    }
}
// ANCHOR_END: spawn_app

// ANCHOR: test_app_methods
impl TestApp {
    pub fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    /// `POST /users` with a JSON body.
    pub async fn post_user(&self, body: &serde_json::Value) -> reqwest::Response {
        self.post_user_raw(body.to_string(), "application/json").await
    }

    /// `POST /users` with any body, for tests of malformed input.
    pub async fn post_user_raw(&self, body: String, content_type: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/users", self.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("the app answers")
    }

    pub async fn get_user(&self, id: i64) -> reqwest::Response {
        self.http.get(format!("{}/users/{id}", self.address)).send().await.expect("the app answers")
    }

    /// Rows in `users`, for "nothing was written" assertions.
    pub async fn user_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(self.pool()).await.unwrap()
    }
}
// ANCHOR_END: test_app_methods
