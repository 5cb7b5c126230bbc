//! Client for the email service. We don't own that service, so this is the
//! one place that knows its URL layout and body format.
//!
//! The service's contract, as its owners describe it: `POST /send` with
//! `{"to", "template"}` and an `Idempotency-Key` header; it answers 2xx with a
//! JSON receipt `{"message_id": "..."}`. Older versions answered 2xx with an
//! empty body, so an empty success is still accepted; a success whose body we
//! cannot read is not (see [`EmailError::UnreadableReceipt`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

/// The body the email service expects on `POST /send`.
#[derive(Debug, Serialize)]
pub struct SendEmail<'a> {
    pub to: &'a str,
    pub template: &'a str,
}

/// What the email service answers when it accepted an email.
#[derive(Debug, Deserialize)]
pub struct Receipt {
    /// The service's id for the message; we only log it, to match our logs
    /// with theirs when someone asks "where is my email?".
    pub message_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("email service unreachable or too slow: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("email service answered {status}: {body}")]
    Rejected { status: u16, body: String },
    /// A 2xx whose body is not the JSON receipt: typically the base URL points
    /// at something else (a proxy's login page, a web server that answers 200
    /// to anything). We can't tell whether an email left, so the app keeps it
    /// pending; the idempotency key makes a later retry safe either way.
    #[error(
        "email service answered {status} but its body is not a JSON receipt \
         ({reason}); body starts with {body_start:?}. Is the email base URL \
         right?"
    )]
    UnreadableReceipt {
        status: u16,
        reason: String,
        body_start: String,
    },
}

impl EmailError {
    /// Worth another try soon: the service may be briefly down, overloaded or
    /// slow. A 4xx or an unreadable receipt will fail the same way again.
    fn is_transient(&self) -> bool {
        match self {
            EmailError::Transport(_) => true,
            EmailError::Rejected { status, .. } => {
                *status >= 500 || *status == 429
            }
            EmailError::UnreadableReceipt { .. } => false,
        }
    }
}

// ANCHOR: retry_policy
/// How many times [`EmailClient::send`] tries before giving up, and how long
/// it waits between tries. Every try has the client's own timeout, so the
/// longest a `send` can take is about
/// `max_attempts * timeout + first_backoff * (2^(max_attempts-1) - 1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in total, the first one included. 1 means no retry.
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further failure, so a
    /// struggling service gets more room each time instead of a stampede.
    pub first_backoff: Duration,
}

impl RetryPolicy {
    /// One try, no retry: what [`EmailClient::new`] does.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        first_backoff: Duration::ZERO,
    };

    /// The wait before try number `attempt + 1`, where `attempt` starts at 1.
    fn backoff_after(&self, attempt: u32) -> Duration {
        // Saturate rather than overflow for a policy with many attempts.
        self.first_backoff
            .saturating_mul(2u32.saturating_pow(attempt - 1))
    }
}
// ANCHOR_END: retry_policy

pub struct EmailClient {
    http: reqwest::Client,
    send_url: Url,
    retry: RetryPolicy,
}

impl EmailClient {
    /// A client that tries once, and gives up on a call after `timeout`.
    pub fn new(base_url: Url, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            // Without a timeout a hung email service would hang POST /users
            // too.
            .timeout(timeout)
            .build()
            .expect("a reqwest client with only a timeout set always builds");
        let send_url = base_url
            .join("send")
            .expect("`send` is a valid relative URL");
        EmailClient {
            http,
            send_url,
            retry: RetryPolicy::NONE,
        }
    }

    /// The same client, but retrying transient failures (a timeout, a refused
    /// connection, a 5xx or 429) as `policy` says.
    ///
    /// # Panics
    /// If `policy.max_attempts` is 0: a client that never tries is a bug.
    pub fn with_retries(mut self, policy: RetryPolicy) -> Self {
        assert!(
            policy.max_attempts >= 1,
            "RetryPolicy::max_attempts must be at least 1 (1 = no retry), got 0"
        );
        self.retry = policy;
        self
    }

    // ANCHOR: send
    /// Asks the email service to send `template` to `to`.
    ///
    /// `idempotency_key` goes in a header so that, when a retry repeats a call
    /// whose answer was lost, the service can recognise it and send once.
    /// That is why the key is chosen by the caller and is the same on every
    /// try: a fresh key per try would turn a lost answer into a second email.
    pub async fn send(
        &self,
        to: &str,
        template: &str,
        idempotency_key: &str,
    ) -> Result<(), EmailError> {
        let mut attempt = 1;
        loop {
            match self.send_once(to, template, idempotency_key).await {
                Ok(receipt) => {
                    tracing::debug!(
                        message_id = ?receipt.map(|r| r.message_id),
                        attempt,
                        "email accepted"
                    );
                    return Ok(());
                }
                Err(error)
                    if error.is_transient()
                        && attempt < self.retry.max_attempts =>
                {
                    let wait = self.retry.backoff_after(attempt);
                    tracing::info!(
                        %error,
                        attempt,
                        ?wait,
                        "email send failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
    // ANCHOR_END: send

    /// One HTTP call. `Ok(None)` is an empty success from an older service.
    async fn send_once(
        &self,
        to: &str,
        template: &str,
        idempotency_key: &str,
    ) -> Result<Option<Receipt>, EmailError> {
        let response = self
            .http
            .post(self.send_url.clone())
            .header("Idempotency-Key", idempotency_key)
            // The id of the request we serve, if any: lets the email team find
            // this call in their logs when we ask about it.
            .headers(crate::request_id::forwarded())
            .json(&SendEmail { to, template })
            .send()
            .await?;
        let status = response.status();
        // Reading the body is part of the call: a service that stalls after
        // its headers is caught by the same timeout.
        let body = response.text().await?;
        if !status.is_success() {
            return Err(EmailError::Rejected {
                status: status.as_u16(),
                body,
            });
        }
        if body.trim().is_empty() {
            return Ok(None);
        }
        // ANCHOR: parse_receipt -- an answer the client cannot read is an error, not proof of delivery
        serde_json::from_str::<Receipt>(&body)
            .map(Some)
            .map_err(|error| EmailError::UnreadableReceipt {
                status: status.as_u16(),
                reason: error.to_string(),
                body_start: body.chars().take(60).collect(),
            })
        // ANCHOR_END: parse_receipt
    }
}

/// The retry arithmetic, case by case: no I/O, so unit tests, next to it.
#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{EmailError, RetryPolicy};

    /// The wait before each retry doubles: 100 ms, then 200, then 400.
    #[test]
    fn the_wait_between_tries_doubles() {
        let policy = RetryPolicy {
            max_attempts: 4,
            first_backoff: Duration::from_millis(100),
        };

        let waits: Vec<Duration> = (1..=3)
            .map(|attempt| policy.backoff_after(attempt))
            .collect();

        assert_eq!(waits, [100, 200, 400].map(Duration::from_millis));
    }

    /// A 5xx or a 429 is worth retrying; any other refusal is not.
    #[test]
    fn only_server_errors_and_too_many_requests_are_retried() {
        let cases = [
            (500, true),
            (503, true),
            (429, true),
            (499, false),
            (404, false),
            (400, false),
        ];

        for (status, transient) in cases {
            let error = EmailError::Rejected {
                status,
                body: String::new(),
            };
            assert_eq!(
                error.is_transient(),
                transient,
                "is a {status} worth another try?"
            );
        }
    }
}
