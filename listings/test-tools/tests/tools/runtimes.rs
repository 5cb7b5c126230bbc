//! `#[tokio::test]` and the runtime it builds for each test.

use std::time::Duration;

use tokio::runtime::{Handle, RuntimeFlavor};

// ANCHOR: flavours -- a runtime per test; the attribute says which kind
/// A plain `#[tokio::test]` runs on one thread: the current-thread runtime.
#[tokio::test]
async fn the_default_test_runtime_has_one_thread() {
    let flavour = Handle::current().runtime_flavor();

    assert_eq!(flavour, RuntimeFlavor::CurrentThread);
}

/// `flavor = "multi_thread"` gives the test a pool of worker threads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_thread_test_runtime_has_the_workers_it_asked_for() {
    let runtime = Handle::current();

    assert_eq!(runtime.runtime_flavor(), RuntimeFlavor::MultiThread);
    assert_eq!(runtime.metrics().num_workers(), 2);
}

/// On a paused clock, a one-hour timeout expires at once: when every task is
/// waiting, tokio moves its clock to the next deadline.
#[tokio::test(start_paused = true)]
async fn on_a_paused_clock_a_one_hour_timeout_expires_at_once() {
    let wall_clock = std::time::Instant::now();
    let tokio_clock = tokio::time::Instant::now();

    let never = std::future::pending::<()>();
    let result = tokio::time::timeout(Duration::from_secs(3600), never).await;

    assert!(result.is_err(), "a pending future never finishes");
    assert_eq!(tokio_clock.elapsed(), Duration::from_secs(3600));
    assert!(
        wall_clock.elapsed() < Duration::from_secs(60),
        "the hour passed on tokio's clock only; the wall clock saw {:?}",
        wall_clock.elapsed()
    );
}
// ANCHOR_END: flavours
