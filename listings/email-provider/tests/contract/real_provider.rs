//! The same test against the provider itself, started in-process on a
//! loopback port. It catches what the stub can't, at the price of needing the
//! provider's code (and, for a real service, its database and friends).

use email_provider::ReceiptFormat;
use user_service::email::EmailError;

use crate::helpers::{email_client, spawn_provider};

// ANCHOR: real
/// Against the real provider, the client sends a welcome email and reads
/// the receipt.
#[tokio::test]
async fn the_client_sends_a_welcome_email_to_the_real_provider() {
    let provider = spawn_provider(ReceiptFormat::MessageId).await;

    let outcome = email_client(&provider)
        .send("ada@example.com", "welcome", "welcome-1")
        .await;

    assert!(
        outcome.is_ok(),
        "today's provider must accept the client's request, but the client \
         got {outcome:?}"
    );
}

/// The provider's next release renames `message_id` to `id`: the client can
/// no longer read the receipt, and this test says so before users do.
#[tokio::test]
async fn the_renamed_receipt_field_breaks_the_client() {
    let provider = spawn_provider(ReceiptFormat::RenamedId).await;

    let outcome = email_client(&provider)
        .send("ada@example.com", "welcome", "welcome-1")
        .await;

    match outcome {
        Err(EmailError::UnreadableReceipt { reason, .. }) => {
            assert!(
                reason.contains("message_id"),
                "the error must name the missing field, got: {reason}"
            )
        }
        other => panic!(
            "expected the renamed field to make the receipt unreadable, \
             got {other:?}"
        ),
    }
}
// ANCHOR_END: real
