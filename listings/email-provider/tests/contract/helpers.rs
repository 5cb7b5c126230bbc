//! Starting the provider for real, and the consumer's client.

use std::time::Duration;

use email_provider::{ReceiptFormat, app, serve};
use user_service::email::EmailClient;

/// Starts the email service on a free loopback port and returns its base URL.
/// The server task ends with the test's runtime.
pub async fn spawn_provider(format: ReceiptFormat) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, app(format)));
    address
}

/// The user service's email client, as the app builds it, aimed at `base_url`.
pub fn email_client(base_url: &str) -> EmailClient {
    EmailClient::new(
        base_url.parse().expect("a valid base URL"),
        Duration::from_secs(2),
    )
}
