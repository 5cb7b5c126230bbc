//! Every wait on the app or its email client ends. A call that, when the
//! code works, answers in milliseconds goes through [`within`], so a client
//! that retries forever fails the test with a message instead of hanging it.

use std::{future::Future, time::Duration};

/// How long a test waits for the app or the email client: far above the
/// milliseconds they take when they work (three tries against a stub take
/// well under a second), far below a CI job's own limit.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Waits for `work`, but no longer than `limit`: past it, the test fails
/// with "gave up waiting for {what}" and the line it waited at.
#[track_caller]
pub fn within<F: Future>(
    limit: Duration,
    what: &str,
    work: F,
) -> impl Future<Output = F::Output> {
    // Not an `async fn`, so the failure points at the test's line.
    let waiting_at = std::panic::Location::caller();
    let what = what.to_owned();
    async move {
        match tokio::time::timeout(limit, work).await {
            Ok(output) => output,
            Err(_) => panic!(
                "gave up waiting for {what} after {limit:?} \
                 (waiting at {waiting_at})"
            ),
        }
    }
}
