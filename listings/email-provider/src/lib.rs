//! The email service, as the team that owns it would write it. In this book
//! it stands for "a service you don't own": the user service only knows it
//! through its HTTP contract.
//!
//! `POST /send` with `{"to", "template"}` and an `Idempotency-Key` header
//! answers `202 Accepted` with `{"message_id": "..."}`. A repeated key gets
//! the first answer again and sends nothing.
//!
//! [`ReceiptFormat::RenamedId`] is the team's next release, which renames
//! `message_id` to `id`: a breaking change the contract tests must catch.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// Which shape the service answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptFormat {
    /// `{"message_id": "..."}`: what consumers rely on today.
    MessageId,
    /// `{"id": "..."}`: the renamed field of the next release.
    RenamedId,
}

#[derive(Debug, Deserialize)]
struct SendRequest {
    to: String,
    template: String,
}

#[derive(Clone)]
struct Outbox {
    format: ReceiptFormat,
    /// Idempotency key -> message id, so a repeated request is recognised.
    sent: Arc<Mutex<HashMap<String, String>>>,
}

/// The service's router. Emails are "sent" into memory: this is a stand-in
/// for another team's service, not a mail server.
pub fn app(format: ReceiptFormat) -> Router {
    let outbox = Outbox {
        format,
        sent: Arc::default(),
    };
    Router::new().route("/send", post(send)).with_state(outbox)
}

async fn send(
    State(outbox): State<Outbox>,
    headers: HeaderMap,
    Json(request): Json<SendRequest>,
) -> Result<(StatusCode, Json<Value>), (StatusCode, Json<Value>)> {
    let Some(key) =
        headers.get("Idempotency-Key").and_then(|k| k.to_str().ok())
    else {
        return Err((
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "the Idempotency-Key header is required"})),
        ));
    };
    if request.to.is_empty() || request.template.is_empty() {
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": "to and template must not be empty"})),
        ));
    }
    let message_id = {
        let mut sent = outbox.sent.lock().unwrap();
        let next = format!("msg-{}", sent.len() + 1);
        sent.entry(key.to_owned()).or_insert(next).clone()
    };
    let receipt = match outbox.format {
        ReceiptFormat::MessageId => json!({"message_id": message_id}),
        ReceiptFormat::RenamedId => json!({"id": message_id}),
    };
    Ok((StatusCode::ACCEPTED, Json(receipt)))
}

/// Serves `app` on a listener the caller bound (tests bind `127.0.0.1:0`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
) -> std::io::Result<()> {
    axum::serve(listener, app).await
}
