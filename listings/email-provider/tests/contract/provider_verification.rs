//! The provider's side: replay the consumer's pact against the real service.
//! In a real setup this runs in the provider team's CI and the file comes
//! from a broker; here both sides share one test run, and the file comes from
//! the consumer test above.

use std::sync::Arc;

use email_provider::ReceiptFormat;
use pact_verifier::{
    FilterInfo, PactSource, ProviderInfo, ProviderTransport,
    VerificationOptions,
    callback_executors::{
        HttpRequestProviderStateExecutor, NullRequestFilterExecutor,
    },
    verification_result::VerificationExecutionResult,
    verify_provider_async,
};

use crate::{consumer_pact::consumer_pact_file, helpers::spawn_provider};

// ANCHOR: verify
/// Starts the provider with `format` and replays the consumer's pact file
/// against it.
async fn verify_provider(format: ReceiptFormat) -> VerificationExecutionResult {
    let pact_file = consumer_pact_file().await;
    let base_url = spawn_provider(format).await;
    let port = base_url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("spawn_provider returns host:port");

    let provider = ProviderInfo {
        name: "email-service".into(),
        host: "127.0.0.1".into(),
        transports: vec![ProviderTransport {
            transport: "http".into(),
            port: Some(port),
            path: None,
            scheme: None,
        }],
        ..ProviderInfo::default()
    };
    let options = VerificationOptions::<NullRequestFilterExecutor> {
        coloured_output: false,
        ..Default::default()
    };
    // The pact names no provider states, so this executor is never called.
    let states = Arc::new(HttpRequestProviderStateExecutor::default());
    let sources = vec![PactSource::File(pact_file.display().to_string())];

    verify_provider_async(
        provider,
        sources,
        FilterInfo::None,
        vec![],
        &options,
        None,
        &states,
        None,
    )
    .await
    .expect("the verifier could read the pact file and reach the provider")
}

/// Today's provider honours what the consumer recorded.
#[tokio::test]
async fn the_provider_honours_the_consumers_pact() {
    let result = verify_provider(ReceiptFormat::MessageId).await;

    assert!(
        result.result,
        "verification failed: {:#?}\n{}",
        result.errors,
        result.output.join("\n")
    );
}

// OUTPUT: output/renamed-field.txt PACT_DO_NOT_TRACK=true --features=pact \
//   --nocapture
/// The next release renames `message_id` to `id`: the verification fails, in
/// the provider's own test run, and names the field.
#[tokio::test]
async fn renaming_a_field_the_consumer_reads_fails_the_verification() {
    let result = verify_provider(ReceiptFormat::RenamedId).await;

    assert!(
        !result.result,
        "a renamed field the consumer reads must fail the verification"
    );
    // The mismatch must be the renamed field, not some other failure (a 415,
    // a refused connection) that happens to mention it.
    let report = format!("{:?}", result.errors);
    assert!(
        report.contains("missing the following keys: message_id"),
        "the failure must be the missing `message_id`; the verifier said: \
         {report}"
    );
}
// ANCHOR_END: verify
