//! Every error the API returns is JSON:
//! `{"error": "<kind>", "detail": "<text>"}`.
//! A client can branch on `error`; `detail` is for the human reading logs.

use axum::{
    Json,
    extract::rejection::JsonRejection,
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadJson(#[from] JsonRejection),
    #[error("{0}")]
    Invalid(String),
    #[error("a user with this email already exists")]
    EmailTaken,
    #[error("no user with this id")]
    NotFound,
    /// axum's own text for a bad path names a Rust type (`i64`); a client
    /// needs to know what to send instead.
    #[error("the user id must be a whole number")]
    BadId,
    #[error("no such path")]
    NoRoute,
    #[error("{0} is not allowed here")]
    MethodNotAllowed(Method),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = match &self {
            // axum already picked the right 4xx (400 bad syntax, 415 no JSON
            // content type, 413 too large, 422 wrong shape); keep it.
            ApiError::BadJson(rejection) => {
                (rejection.status(), "bad_request_body")
            }
            ApiError::Invalid(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field")
            }
            ApiError::EmailTaken => (StatusCode::CONFLICT, "email_taken"),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::BadId => (StatusCode::BAD_REQUEST, "bad_id"),
            ApiError::NoRoute => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed(_) => {
                (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
            }
            ApiError::Database(error) => {
                tracing::error!(%error, "database error");
                // Its text names tables, constraints and SQL: it is for the
                // log above, never for the client.
                let body =
                    json!({"error": "internal", "detail": "internal error"});
                return (StatusCode::INTERNAL_SERVER_ERROR, Json(body))
                    .into_response();
            }
        };
        (
            status,
            Json(json!({"error": kind, "detail": self.to_string()})),
        )
            .into_response()
    }
}
