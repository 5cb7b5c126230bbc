//! Every error the API returns is JSON:
//! `{"error": "<kind>", "detail": "<text>"}`.
//! A client can branch on `error`; `detail` is for the human reading logs.

use axum::{
    Json,
    extract::rejection::JsonRejection,
    http::StatusCode,
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
            ApiError::Database(error) => {
                tracing::error!(%error, "database error");
                // Don't leak SQL to clients.
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
