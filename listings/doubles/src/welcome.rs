//! A seam for the email client: the code that sends a welcome email takes
//! any [`EmailSender`], so a test can hand it an in-memory fake instead of an
//! HTTP client.
//!
//! The user service itself holds the concrete `EmailClient` in its state. To
//! take a fake it would hold `Arc<dyn …>` of a trait like this one (written
//! with `async_trait`, as its `JobQueue` is, so it can be a trait object),
//! and `spawn_app` would choose which one to put there.

use std::future::Future;

use user_service::email::{EmailClient, EmailError};

// ANCHOR: seam -- the code under test takes a trait, not the HTTP client
/// Anything that can deliver an email: the HTTP client in production, a
/// fake in memory in a test.
pub trait EmailSender: Send + Sync {
    /// Sends `template` to `to`. The same `idempotency_key` on a repeat lets
    /// the service deliver once.
    fn send(
        &self,
        to: &str,
        template: &str,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<(), EmailError>> + Send;
}

/// The real client is one sender: each call is an HTTP request.
impl EmailSender for EmailClient {
    fn send(
        &self,
        to: &str,
        template: &str,
        idempotency_key: &str,
    ) -> impl Future<Output = Result<(), EmailError>> + Send {
        EmailClient::send(self, to, template, idempotency_key)
    }
}

/// The code under test: welcomes one new user. It decides the address (as
/// stored: trimmed, lower case), the template and the key; the sender only
/// delivers.
pub async fn send_welcome(
    sender: &impl EmailSender,
    user_id: i64,
    email: &str,
) -> Result<(), EmailError> {
    let to = email.trim().to_lowercase();
    let key = format!("welcome-{user_id}");
    sender.send(&to, "welcome", &key).await
}
// ANCHOR_END: seam
