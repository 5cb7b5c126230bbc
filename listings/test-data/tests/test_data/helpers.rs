//! The harness for this crate's HTTP tests: `spawn_reporting_app`. It
//! starts the app the way `spawn_app` does in the first chapter (a free port,
//! a database of its own, a mock email service), and differs in what it hands
//! back. A `ReportingApp`'s methods return a `Reply` whose body is already
//! read, not a `reqwest::Response`: a response body can be read only once,
//! and the harness keeps a copy of every reply for the failure report. The
//! app logs into a buffer of its own, and when the test fails, dropping the
//! `ReportingApp` prints the replies, the database's rows and the logs.

use std::{
    sync::{
        Mutex,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use serde_json::Value;
use testdb::TestDatabase;
use user_service::{AppConfig, MIGRATOR, app, request_id, serve};
use wiremock::MockServer;

use crate::{
    logs::{CapturedLogs, capture_logs},
    report::{self, Reply},
};

/// A running app, and everything needed to look at it.
pub struct ReportingApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// This test's own database.
    pub db: TestDatabase,
    /// Stands in for the email service.
    pub email_server: MockServer,
    /// What this app logged, and only this app.
    pub logs: CapturedLogs,
    http: reqwest::Client,
    /// The running test's name: the start of every request id it sends.
    test: String,
    requests_sent: AtomicU32,
    /// Every response the test received, in order, for the failure report.
    replies: Mutex<Vec<Reply>>,
}

// ANCHOR: spawn_reporting_app
/// Starts the app on a free port with its own database, a mock email
/// service and its own log buffer; the returned app reports on failure.
pub async fn spawn_reporting_app() -> ReportingApp {
    let email_server = MockServer::start().await;
    let db = testdb::fresh_database(&MIGRATOR).await;
    let config = AppConfig {
        pool: db.pool.clone(),
        email_base_url: email_server
            .uri()
            .parse()
            .expect("wiremock gives a valid URL"),
        email_timeout: Duration::from_secs(2),
    };
    let logs = CapturedLogs::default();
    let app = capture_logs(app(config), &logs);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, app));

    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_owned();
    ReportingApp {
        address,
        db,
        email_server,
        logs,
        http: reqwest::Client::new(),
        test,
        requests_sent: AtomicU32::new(0),
        replies: Mutex::new(Vec::new()),
    }
}
// ANCHOR_END: spawn_reporting_app

// ANCHOR: send -- every request the test sends is recorded for the failure report
impl ReportingApp {
    /// `POST /users` with a JSON body.
    pub async fn post_user(&self, body: &Value) -> Reply {
        self.send(
            "POST /users",
            self.http.post(format!("{}/users", self.address)).json(body),
        )
        .await
    }

    pub async fn get_user(&self, id: i64) -> Reply {
        self.send(
            &format!("GET /users/{id}"),
            self.http.get(format!("{}/users/{id}", self.address)),
        )
        .await
    }

    /// Sends a request with an id that names the test (`module::test#1`,
    /// `#2`, …): in any log, the app's or the email service's, a line with
    /// that id leads straight back to the test that caused it. The body sent
    /// and the response received are kept together, for the report.
    async fn send(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
    ) -> Reply {
        let n = self.requests_sent.fetch_add(1, Ordering::Relaxed) + 1;
        let request = request
            .header(request_id::HEADER, format!("{}#{n}", self.test))
            .build()
            .unwrap_or_else(|error| panic!("{what}: not a request: {error}"));
        let sent = request
            .body()
            .and_then(|body| body.as_bytes())
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
        let response =
            self.http.execute(request).await.unwrap_or_else(|error| {
                panic!("{what}: the app did not answer: {error}")
            });
        let reply = Reply {
            request: what.to_owned(),
            sent,
            status: response.status(),
            headers: response.headers().clone(),
            body: response
                .text()
                .await
                .unwrap_or_else(|error| format!("(body unreadable: {error})")),
        };
        self.replies.lock().unwrap().push(reply.clone());
        reply
    }
}
// ANCHOR_END: send

// ANCHOR: report_on_drop -- a failing test prints responses, rows and logs without asking
impl Drop for ReportingApp {
    /// A failing test prints the report; a passing one stays quiet. `Drop`
    /// runs while a panic unwinds, so every test gets this without asking.
    fn drop(&mut self) {
        if std::thread::panicking() {
            let replies = self
                .replies
                .lock()
                .map(|replies| replies.clone())
                .unwrap_or_default();
            let rows = report::database_rows(&self.db);
            eprintln!(
                "{}",
                report::render(&self.test, &replies, &rows, &self.logs.text())
            );
        }
    }
}
// ANCHOR_END: report_on_drop
