//! The app's inputs. Nothing here reads the environment: the binary does that,
//! tests fill the fields themselves.

use std::{sync::Arc, time::Duration};

use sqlx::PgPool;
use url::Url;

use crate::email::EmailClient;

/// What the app needs from the world around it.
#[derive(Clone)]
pub struct AppConfig {
    /// Where users are stored. Tests pass a pool on their own database.
    pub pool: PgPool,
    /// Base URL of the email service; the app posts to `{email_base_url}/send`.
    /// Tests point it at a wiremock server on 127.0.0.1.
    pub email_base_url: Url,
    /// How long one call to the email service may take before the app gives
    /// up on it and leaves the email in the outbox for a later retry.
    pub email_timeout: Duration,
}

/// What the handlers share, built once from the config.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub email: Arc<EmailClient>,
}

impl AppConfig {
    pub(crate) fn into_state(self) -> AppState {
        let email = EmailClient::new(self.email_base_url, self.email_timeout);
        AppState {
            pool: self.pool,
            email: Arc::new(email),
        }
    }
}
