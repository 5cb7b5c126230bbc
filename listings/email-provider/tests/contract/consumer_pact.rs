//! The consumer's side of the contract: the email client runs against Pact's
//! mock server, and what it needed is written to a pact file. The file is an
//! output of this test run, under target/, never a file someone edits.

use std::path::PathBuf;

use pact_consumer::{mock_server::StartMockServerAsync, prelude::*};
use serde_json::Value;
use tokio::sync::OnceCell;

use crate::helpers::email_client;

/// Pact's crates send anonymous usage data to a third party unless told not
/// to, and a test must not reach the outside world.
pub fn require_pact_do_not_track() {
    assert_eq!(
        std::env::var("PACT_DO_NOT_TRACK").as_deref(),
        Ok("true"),
        "set PACT_DO_NOT_TRACK=true before running the Pact tests (e.g. \
         `PACT_DO_NOT_TRACK=true cargo test -p email-provider --features pact`): \
         without it Pact tries to send usage metrics over the network"
    );
}

/// The pact file, recorded once per test run by whichever test needs it first.
static PACT_FILE: OnceCell<PathBuf> = OnceCell::const_new();

pub async fn consumer_pact_file() -> &'static PathBuf {
    PACT_FILE.get_or_init(record_consumer_pact).await
}

// ANCHOR: consumer
/// Runs the real email client against Pact's mock server and returns the
/// pact file the mock server writes when it is dropped.
async fn record_consumer_pact() -> PathBuf {
    require_pact_do_not_track();
    // Cargo gives integration tests a scratch folder under target/.
    let pact_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pacts");
    let pact_file = pact_dir.join("user-service-email-service.json");
    // Pact merges into an existing file; start from nothing so the file says
    // exactly what this run of the consumer needs.
    let _ = std::fs::remove_file(&pact_file);

    let mut pact = PactBuilderAsync::new("user-service", "email-service");
    pact.output_dir(&pact_dir);
    pact.interaction(
        "a request to send a welcome email",
        "",
        |mut i| async move {
            i.request
                .post()
                .path("/send")
                .header("Idempotency-Key", "welcome-1")
                // Declared, or the pact won't carry it and the provider's
                // replay is refused (axum's `Json` answers 415 without it).
                .content_type("application/json")
                .json_body(json_pattern!({
                    "to": like!("ada@example.com"),
                    "template": "welcome"
                }));
            // Only what the client reads: a 2xx and a string `message_id`.
            // Any other field the provider adds is none of our business.
            i.response
                .status(202)
                .json_body(json_pattern!({"message_id": like!("msg-1")}));
            i
        },
    )
    .await;

    {
        let mock = pact.start_mock_server_async(None, None).await;
        let outcome = email_client(mock.url().as_str())
            .send("ada@example.com", "welcome", "welcome-1")
            .await;
        assert!(
            outcome.is_ok(),
            "the client must accept the answer it declared it needs, \
             got {outcome:?}"
        );
    } // <- dropped: Pact checks every interaction ran, then writes the file.

    assert!(
        pact_file.exists(),
        "Pact should have written {}",
        pact_file.display()
    );
    pact_file
}
// ANCHOR_END: consumer

/// The consumer's test: the pact it writes asks for `message_id` in the answer.
#[tokio::test]
async fn the_consumer_records_what_it_needs_from_the_email_service() {
    let file = consumer_pact_file().await;

    let pact: Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let response = &pact["interactions"][0]["response"];
    assert_eq!(
        response["status"], 202,
        "the pact must record the status the client expects: {response}"
    );
    assert!(
        response["body"]["message_id"].is_string(),
        "the pact must ask for a message_id: {response}"
    );
}
