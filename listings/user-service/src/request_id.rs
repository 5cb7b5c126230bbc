//! One id per request, everywhere the request goes.
//!
//! When a test (or a customer) reports "POST /users failed", the first thing
//! anyone needs is every log line about *that* request, and the matching
//! lines in the email service's logs. An id carried by the request makes
//! that a search instead of a guess:
//!
//! - it arrives as the `x-request-id` header, or is made up (a UUID) if the
//!   caller sent none, and is echoed back in the response;
//! - every log line written while the request runs sits in a `request` span
//!   that records it;
//! - the email client forwards it to the email service in the same header
//!   ([`forwarded`]), so the other team's logs can be matched with ours;
//! - a job the request leaves behind keeps the id (the outbox's `request_id`
//!   column), and the worker sends it on the job's email call ([`within`]),
//!   so an email sent minutes later still names the request that owed it.

use axum::{Router, extract::Request, middleware::Next, response::Response};
use reqwest::header::{HeaderMap, HeaderValue};
use tower_http::{
    request_id::{
        MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
    },
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

/// The header the id travels in, on the way in, on the way out, and to the
/// email service.
pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    /// The id of the request this task is serving. A task-local rather than a
    /// parameter: the email client is called from deep inside the worker code,
    /// whose signatures shouldn't change for the sake of logging.
    static CURRENT: String;
}

// ANCHOR: layers
/// Wraps the app's routes so that every request has an id, logs it, passes
/// it on, and returns it. Layers run outside-in: the last one added sees the
/// request first.
pub fn traced(routes: Router) -> Router {
    routes
        // 4. Make the id visible to code that doesn't see the request (the
        //    email client), for as long as the handler runs.
        .layer(axum::middleware::from_fn(scope_request_id))
        // 3. One span per request, carrying the id: every log line written
        //    inside the request shows it.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        // 2. Copy the id into the response, so the caller can quote it.
        .layer(PropagateRequestIdLayer::x_request_id())
        // 1. Keep the caller's `x-request-id`, or make up a UUID.
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        uri = %request.uri(),
        request_id = %id
    )
}
// ANCHOR_END: layers

async fn scope_request_id(request: Request, next: Next) -> Response {
    let id = request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .map(str::to_owned);
    match id {
        Some(id) => CURRENT.scope(id, next.run(request)).await,
        None => next.run(request).await,
    }
}

// ANCHOR: forwarded
/// The id of the request being served, if any. `None` outside a request:
/// the worker sending a job on its own has no request to name.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Runs `work` as if serving the request `id`: what [`current`] and
/// [`forwarded`] return inside it. The worker uses it to send a job's email
/// under the id of the sign-up that left the job. `None` runs `work` as is.
pub async fn within<F: std::future::Future>(
    id: Option<String>,
    work: F,
) -> F::Output {
    match id {
        Some(id) => CURRENT.scope(id, work).await,
        None => work.await,
    }
}

/// Headers the email client adds to its call: the current request's id, or
/// nothing outside a request.
pub fn forwarded() -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(value) =
        current().and_then(|id| HeaderValue::from_str(&id).ok())
    {
        headers.insert(HEADER, value);
    }
    headers
}
// ANCHOR_END: forwarded
