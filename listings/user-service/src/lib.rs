//! The running example of the book: a small user service.
//!
//! - [`config`]: everything the app needs from outside, handed in by the
//!   caller. Tests build one with a throwaway database and a stand-in email
//!   service.
//! - [`app`]: the app factory. It turns a config into an axum `Router`
//!   without binding a socket, so a test can drive it in-process or serve it.
//! - [`users`]: `POST /users` and `GET /users/{id}`.
//! - [`email`]: the client for the email service, which another team owns.
//! - [`error`]: how every failure becomes a JSON error body.
//! - [`request_id`]: one id per request, in the logs and in the email call.
//! - [`jobs`]: the welcome email a sign-up leaves behind, and who sends it.
//! - [`worker`]: claims those jobs, sends them, retries, gives up; the
//!   `worker` binary runs it.
//! - [`clock`]: where the worker reads the time, so tests can set it.

pub mod clock;
pub mod config;
pub mod email;
pub mod error;
pub mod jobs;
pub mod request_id;
pub mod users;
pub mod worker;

pub use config::{AppConfig, AppState};
pub use jobs::Jobs;

use std::sync::Arc;

use axum::{
    Extension, Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};

/// The migrations that build the schema, embedded at compile time so tests and
/// the binary apply exactly the same files.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A request body larger than this is refused with 413 before it is parsed.
/// A user is two short strings; anything bigger is a mistake or an attack.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Builds the whole app from its config. No socket, no global state: the
/// caller decides whether to serve it or call it in-process.
pub fn app(config: AppConfig) -> Router {
    router(config.into_state())
}

/// Builds the app around a state the caller assembled, for a caller that
/// needs what `AppConfig` doesn't offer (e.g. an email client that retries).
pub fn router(state: AppState) -> Router {
    router_with(state, Jobs::default())
}

/// [`app`], with a say in background jobs: a fake queue, or leaving the
/// welcome email to the worker instead of trying it during the request.
pub fn app_with(config: AppConfig, jobs: Jobs) -> Router {
    router_with(config.into_state(), jobs)
}

/// [`router`], with a say in background jobs.
pub fn router_with(state: AppState, jobs: Jobs) -> Router {
    let routes = Router::new()
        .route("/users", post(users::create_user))
        .route("/users/{id}", get(users::get_user))
        // Every answer is JSON, even to a request no route takes: axum's
        // defaults are empty bodies a client can't branch on.
        .fallback(async || error::ApiError::NoRoute)
        .method_not_allowed_fallback(async |method: axum::http::Method| {
            error::ApiError::MethodNotAllowed(method)
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // An extension, not a field of `AppState`: callers that build the
        // state by hand (other chapters do) keep compiling unchanged.
        .layer(Extension(Arc::new(jobs)))
        .with_state(state);
    // Outermost: every request, whatever route it hits, gets an id and a span.
    request_id::traced(routes)
}

/// Serves `app` on a listener the caller already bound. Taking a listener
/// rather than an address lets a test bind port 0 and read the real port.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
) -> std::io::Result<()> {
    axum::serve(listener, app).await
}

// Outputs the book shows that are made from this crate by slow tools, so they
// are measurements (regenerated on purpose, not compared on every CI run):
// mutation testing (chapter "How many integration tests, and where") and the
// removal of each documented guarantee (chapter "Jobs, queues and workers").
//
// OUTPUT(measured): output/mutants.txt $ cargo mutants --in-place \
//   -p user-service --test-package user-service --test-package doubles \
//   --test-package test-data --timeout 120 \
//   -e 'listings/user-service/src/bin/*' \
//   -e 'listings/user-service/src/main.rs' | sed 's|listings/user-service/||'
// The same run again, after the tests its MISSED lines asked for, limited
// by name to the functions those lines were in:
// OUTPUT(measured): output/mutants-rerun.txt $ cargo mutants --in-place \
//   -p user-service --test-package user-service --test-package doubles \
//   --test-package test-data --timeout 120 \
//   -e 'listings/user-service/src/bin/*' \
//   -e 'listings/user-service/src/main.rs' \
//   --re 'lib\.rs.*replace \*|is_transient|backoff_after|in record' \
//   --re 'in EmailClient::send$|in create_user|bury_unfinished' \
//   --re with_heartbeat | sed 's|listings/user-service/||'
// The same chapter's SQL mutation run (listings/sql-mutants), which
// rebuilds and tests this crate once per mutant of its queries:
// OUTPUT(measured): output/sql-mutants.txt $ cargo run -q -p sql-mutants \
//   -- listings/user-service \
//   --build-cmd 'cargo test -p user-service --test api --no-run' \
//   --test-cmd 'cargo test -p user-service --test api'
// OUTPUT(measured): output/broken-promises.md $ \
//   python3 listings/user-service/break-each-promise.py
