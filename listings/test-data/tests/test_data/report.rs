//! The failure report: everything a reader needs to understand a failed
//! test without running it again.

use std::{fmt, fmt::Write as _, time::Duration};

use reqwest::{StatusCode, header::HeaderMap};
use serde_json::Value;
use sqlx::{Connection, PgConnection, postgres::PgConnectOptions};
use testdb::TestDatabase;

// ANCHOR: reply
/// A response as the test saw it, kept for the report.
#[derive(Debug, Clone)]
pub struct Reply {
    /// What was asked, e.g. `POST /users`.
    pub request: String,
    /// The body the test sent, if any.
    pub sent: Option<String>,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The body as JSON; a body that isn't JSON fails the test and shows it.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|error| {
            panic!(
                "{} answered a body that is not JSON ({error}): {:?}",
                self.request, self.body
            )
        })
    }

    /// The `x-request-id` the app answered with.
    pub fn request_id(&self) -> &str {
        let value = self.headers.get(user_service::request_id::HEADER);
        value.and_then(|v| v.to_str().ok()).unwrap_or_else(|| {
            panic!("{} answered without an x-request-id header", self.request)
        })
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `>` what the test sent, `<` what it received, as `curl -v` does.
        writeln!(f, "{} -> {}", self.request, self.status)?;
        if let Some(sent) = &self.sent {
            writeln!(f, "  > {sent}")?;
        }
        // Not `date`: it changes every run, and two reports of one failure
        // should read the same.
        for (name, value) in self.headers.iter().filter(|(n, _)| *n != "date") {
            let value = value.to_str().unwrap_or("(not text)");
            writeln!(f, "  < {name}: {value}")?;
        }
        write!(f, "  < {}", self.body)
    }
}
// ANCHOR_END: reply

// ANCHOR: tables
/// The rows the report shows: the whole story of a sign-up is in these two
/// tables. Columns that change on every run (timestamps, the worker's process
/// id) are left out, so two reports of the same failure read the same.
const TABLES: &[(&str, &str)] = &[
    ("users", "SELECT id, name, email FROM users ORDER BY id"),
    (
        "email_outbox",
        "SELECT id, user_id, recipient, template, status, attempts, \
         last_error FROM email_outbox ORDER BY id",
    ),
];
// ANCHOR_END: tables

// ANCHOR: render
/// The report, as one block of text.
pub fn render(test: &str, replies: &[Reply], rows: &str, logs: &str) -> String {
    let mut report = format!("==== failure report for {test} ====\n");
    let _ = writeln!(report, "---- responses ({}) ----", replies.len());
    for reply in replies {
        let _ = writeln!(report, "{reply}");
    }
    let _ = writeln!(report, "---- database rows ----\n{rows}");
    let _ = writeln!(
        report,
        "---- logs of this test's app ----\n{}",
        logs.trim_end()
    );
    let _ = write!(report, "==== end of failure report ====");
    report
}
// ANCHOR_END: render

// ANCHOR: database_rows
/// Reads [`TABLES`] from the test's database, one line of JSON per row.
///
/// Called from `Drop`, which can't `.await`. So it opens a connection of its
/// own on a thread of its own with a one-thread runtime: the test's pool
/// belongs to the test's runtime, which is in the middle of unwinding.
pub fn database_rows(db: &TestDatabase) -> String {
    let options = db.connect_options();
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                // A report must not hang the run: give up after a few seconds.
                runtime.block_on(async {
                    tokio::time::timeout(
                        Duration::from_secs(5),
                        read_tables(&options),
                    )
                    .await
                    .unwrap_or_else(|_| {
                        "(the database did not answer within 5 s)".into()
                    })
                })
            })
            .join()
            .unwrap_or_else(|_| "(reading the database panicked)".into())
    })
}

async fn read_tables(options: &PgConnectOptions) -> String {
    let mut connection = match PgConnection::connect_with(options).await {
        Ok(connection) => connection,
        Err(error) => {
            return format!(
                "(could not connect to the test's database: {error})"
            );
        }
    };
    let mut out = String::new();
    for (table, query) in TABLES {
        let _ = writeln!(out, "{table}:");
        // row_to_json turns any row into one line of text, whatever the
        // types of its columns: no Rust struct per table needed.
        let sql =
            format!("SELECT row_to_json(row)::text FROM ({query}) AS row");
        match sqlx::query_scalar::<_, String>(&sql)
            .fetch_all(&mut connection)
            .await
        {
            Ok(rows) if rows.is_empty() => out.push_str("  (no rows)\n"),
            Ok(rows) => rows.iter().for_each(|row| {
                let _ = writeln!(out, "  {row}");
            }),
            Err(error) => {
                let _ = writeln!(out, "  (could not read it: {error})");
            }
        }
    }
    out
}
// ANCHOR_END: database_rows
