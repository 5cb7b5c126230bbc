//! The same welcome email checked two ways: against an in-process fake
//! behind the `EmailSender` trait, and against a wiremock stub on a socket.
//! Each catches things the other can't.

use std::sync::Mutex;

use doubles::welcome::{EmailSender, send_welcome};
use serde_json::json;
use user_service::email::{EmailError, RetryPolicy};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

use crate::{
    deadline::{DEADLINE, within},
    helpers::email_client_for_tests,
};

// ANCHOR: fake -- a fake keeps what it was asked in memory and fails on cue
/// One email the fake was asked to send.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SentEmail {
    to: String,
    template: String,
    idempotency_key: String,
}

/// An email service in memory: it keeps every email it is asked to send,
/// and, when told to, refuses them the way the real service would.
#[derive(Default)]
struct FakeEmailSender {
    sent: Mutex<Vec<SentEmail>>,
    /// `Some(status)`: refuse every email with this status.
    refuse_with: Option<u16>,
}

impl FakeEmailSender {
    fn refusing_with(status: u16) -> Self {
        FakeEmailSender {
            refuse_with: Some(status),
            ..Default::default()
        }
    }

    /// What the code under test asked for, in order: the fake's state, read
    /// directly, with no request to parse.
    fn sent(&self) -> Vec<SentEmail> {
        self.sent.lock().unwrap().clone()
    }
}

impl EmailSender for FakeEmailSender {
    async fn send(
        &self,
        to: &str,
        template: &str,
        idempotency_key: &str,
    ) -> Result<(), EmailError> {
        if let Some(status) = self.refuse_with {
            let body = "refused by the fake".to_owned();
            return Err(EmailError::Rejected { status, body });
        }
        self.sent.lock().unwrap().push(SentEmail {
            to: to.to_owned(),
            template: template.to_owned(),
            idempotency_key: idempotency_key.to_owned(),
        });
        Ok(())
    }
}
// ANCHOR_END: fake

// ANCHOR: with_fake
/// With the fake: the welcome email goes to the address as stored, with the
/// user's key. No socket, no server, no JSON.
#[tokio::test]
async fn the_welcome_email_goes_to_the_stored_address() {
    let fake = FakeEmailSender::default();

    send_welcome(&fake, 7, "  Ada@Example.COM ")
        .await
        .expect("the fake accepts every email");

    assert_eq!(
        fake.sent(),
        [SentEmail {
            to: "ada@example.com".into(),
            template: "welcome".into(),
            idempotency_key: "welcome-7".into(),
        }],
        "one welcome email, to the trimmed, lower-cased address"
    );
}

/// With the fake: a refusal reaches the caller unchanged, and nothing is
/// recorded as sent.
#[tokio::test]
async fn a_refusal_from_the_email_service_reaches_the_caller() {
    let fake = FakeEmailSender::refusing_with(503);

    let outcome = send_welcome(&fake, 7, "ada@example.com").await;

    assert!(
        matches!(outcome, Err(EmailError::Rejected { status: 503, .. })),
        "the caller must see the refusal, got {outcome:?}"
    );
    assert_eq!(fake.sent(), [], "a refused email was not sent");
}
// ANCHOR_END: with_fake

// ANCHOR: with_stub
/// With the stub: the same welcome email, checked as bytes on the wire, by
/// the real HTTP client: path, header name, content type, field names.
#[tokio::test]
async fn the_welcome_email_is_the_request_the_service_documents() {
    let email_server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(header("Idempotency-Key", "welcome-7"))
        .and(header("Content-Type", "application/json"))
        .and(body_json(
            json!({"to": "ada@example.com", "template": "welcome"}),
        ))
        .respond_with(
            ResponseTemplate::new(202)
                .set_body_json(json!({"message_id": "m-1"})),
        )
        .expect(1)
        .mount(&email_server)
        .await;
    let client = email_client_for_tests(&email_server.uri(), RetryPolicy::NONE);

    let outcome = within(
        DEADLINE,
        "the welcome email to be sent",
        send_welcome(&client, 7, "  Ada@Example.COM "),
    )
    .await;

    assert!(
        outcome.is_ok(),
        "the stub accepts exactly this request, but the client got {outcome:?}"
    );
}
// ANCHOR_END: with_stub
