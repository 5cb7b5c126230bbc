//! Client for the email service. We don't own that service, so this is the
//! one place that knows its URL layout and body format.

use std::time::Duration;

use serde::Serialize;
use url::Url;

/// The body the email service expects on `POST /send`.
#[derive(Debug, Serialize)]
pub struct SendEmail<'a> {
    pub to: &'a str,
    pub template: &'a str,
}

#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("email service unreachable or too slow: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("email service answered {status}: {body}")]
    Rejected { status: u16, body: String },
}

pub struct EmailClient {
    http: reqwest::Client,
    send_url: Url,
}

impl EmailClient {
    pub fn new(base_url: Url, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            // Without a timeout a hung email service would hang POST /users too.
            .timeout(timeout)
            .build()
            .expect("a reqwest client with only a timeout set always builds");
        let send_url = base_url.join("send").expect("`send` is a valid relative URL");
        EmailClient { http, send_url }
    }

    /// Asks the email service to send `template` to `to`.
    ///
    /// `idempotency_key` goes in a header so that, when a retry repeats a call
    /// whose answer was lost, the service can recognise it and send once.
    pub async fn send(&self, to: &str, template: &str, idempotency_key: &str) -> Result<(), EmailError> {
        let response = self
            .http
            .post(self.send_url.clone())
            .header("Idempotency-Key", idempotency_key)
            .json(&SendEmail { to, template })
            .send()
            .await?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        Err(EmailError::Rejected { status: status.as_u16(), body })
    }
}
