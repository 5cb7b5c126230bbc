//! The running example of the book: a small user service.
//!
//! - [`config`]: everything the app needs from outside, handed in by the caller.
//!   Tests build one with a throwaway database and a stand-in email service.
//! - [`app`]: the app factory. It turns a config into an axum `Router`
//!   without binding a socket, so a test can drive it in-process or serve it.
//! - [`users`]: `POST /users` and `GET /users/{id}`.
//! - [`email`]: the client for the email service, which another team owns.
//! - [`error`]: how every failure becomes a JSON error body.

pub mod config;
pub mod email;
pub mod error;
pub mod users;

pub use config::{AppConfig, AppState};

use axum::{
    Router,
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
    Router::new()
        .route("/users", post(users::create_user))
        .route("/users/{id}", get(users::get_user))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Serves `app` on a listener the caller already bound. Taking a listener
/// rather than an address lets a test bind port 0 and read the real port.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app).await
}
