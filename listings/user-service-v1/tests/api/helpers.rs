//! The harness, first version: the app on a real socket, with a database of
//! its own. The chapters after "Your first integration test" grow this same
//! `TestApp` (a stand-in email service, then more); its name stays.

use std::sync::Once;

use sqlx::PgPool;
use testdb::TestDatabase;
use user_service_v1::{MIGRATOR, app, serve};

// ANCHOR: spawn_app -- the app on a free port, with a database nobody else uses
/// A running app and what a test needs to look around it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`: where the app listens.
    pub address: String,
    /// This test's own database, dropped after the test.
    pub db: TestDatabase,
    pub http: reqwest::Client,
}

/// Starts the app on a free port with a fresh, migrated database, and
/// returns once it accepts connections.
pub async fn spawn_app() -> TestApp {
    init_logs();
    let db = testdb::fresh_database(&MIGRATOR).await;

    // Port 0: the OS picks a free port, so tests can run side by side.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    // Bound already: a request waits in the listener's queue until the
    // server task runs, so there is no "is it ready yet?" loop.
    tokio::spawn(serve(listener, app(db.pool.clone())));

    TestApp {
        address,
        db,
        http: reqwest::Client::new(),
    }
}
// ANCHOR_END: spawn_app

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
        self.http
            .post(format!("{}/users", self.address))
            .json(body)
            .send()
            .await
            .expect("the app answers")
    }

    /// `GET /users/{id}`.
    pub async fn get_user(&self, id: i64) -> reqwest::Response {
        self.http
            .get(format!("{}/users/{id}", self.address))
            .send()
            .await
            .expect("the app answers")
    }
}
// ANCHOR_END: test_app_methods

// ANCHOR: init_logs -- logs off by default, on with RUST_LOG, shown per test
/// Sends the app's logs to the test harness, filtered by `RUST_LOG` (nothing
/// when it is unset). The test writer lets `cargo test` capture them per
/// test: shown when a test fails, or with `--nocapture`.
fn init_logs() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "off".into()),
            )
            .without_time() // so two runs print the same lines
            .with_ansi(false) // plain text: captured output is shown as is
            .with_test_writer()
            .init();
    });
}
// ANCHOR_END: init_logs
