//! Every test's app writes its logs into a buffer that test owns, and
//! nobody else's logs land there.

use std::{
    io,
    sync::{Arc, Mutex},
};

use axum::{Router, extract::Request, middleware::Next};
use tracing::{Dispatch, instrument::WithSubscriber};
use tracing_subscriber::EnvFilter;

// ANCHOR: captured_logs
/// The log lines of one test's app, in memory.
#[derive(Clone, Default)]
pub struct CapturedLogs {
    lines: Arc<Mutex<Vec<u8>>>,
}

impl CapturedLogs {
    /// A subscriber that writes into this buffer, formatted as in production
    /// but without colours (they are escape codes in a file) and without
    /// times (the order is what a reader needs; times would make two runs of
    /// the same failure print differently).
    pub fn subscriber(&self) -> Dispatch {
        let buffer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || buffer.clone())
            .with_ansi(false)
            .without_time()
            .with_env_filter(log_filter())
            .finish();
        Dispatch::new(subscriber)
    }

    /// The log lines captured so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.lines.lock().unwrap()).into_owned()
    }
}

impl io::Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.lines.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
// ANCHOR_END: captured_logs

// ANCHOR: log_filter
/// What to log: `RUST_LOG` if it is set (`RUST_LOG=debug` adds the debug
/// lines of tower-http and the app's other libraries), else the app's own
/// debug lines and everyone else's info.
fn log_filter() -> EnvFilter {
    EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,user_service=debug"))
}
// ANCHOR_END: log_filter

// ANCHOR: capture_logs
/// Runs every request `app` serves under `logs`' subscriber.
///
/// Why per request, and not once around the server: axum serves each
/// connection on a task of its own, and a task doesn't inherit the
/// subscriber of the task that spawned it. Wrapping the server's future
/// would capture the accept loop and nothing else. A global subscriber would
/// capture everything — every parallel test's app, in one stream.
pub fn capture_logs(app: Router, logs: &CapturedLogs) -> Router {
    let subscriber = logs.subscriber();
    app.layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let subscriber = subscriber.clone();
            async move { next.run(request).with_subscriber(subscriber).await }
        },
    ))
}
// ANCHOR_END: capture_logs
