//! Every wait in this suite ends. A wait for one thing (a signal, a task, a
//! child process) goes through [`within`]; a wait for a value to change
//! (a row, the worker's progress) through `eventually::poll` or
//! [`progress_reaches`], which also report the last value they saw.

use std::{fmt::Debug, future::Future, time::Duration};

use tokio::sync::watch;

/// How long a test waits for something that, when the code works, takes
/// milliseconds. Far above that, so a slow machine never trips it; far below
/// a CI job's own limit, so a broken wait is a failure with a message, not a
/// cancelled job with none.
pub const DEADLINE: Duration = Duration::from_secs(10);

// One wait for one event, shared with the other chapters' suites: it lives
// in the `eventually` crate beside `poll`.
pub use eventually::within;

/// Waits until the value behind `signal` satisfies `done`, but no longer
/// than `limit`; past it, the test fails with the last value it saw.
#[track_caller]
pub fn progress_reaches<'a, T: Debug + Clone + Send + Sync>(
    signal: &'a mut watch::Receiver<T>,
    limit: Duration,
    what: &'a str,
    done: impl Fn(&T) -> bool + 'a,
) -> impl Future<Output = T> + 'a {
    let waiting_at = std::panic::Location::caller();
    async move {
        let waited =
            tokio::time::timeout(limit, signal.wait_for(|value| done(value)))
                .await
                .map(|seen| seen.map(|value| value.clone()));
        match waited {
            Ok(Ok(value)) => value,
            Ok(Err(_)) => panic!(
                "gave up waiting for {what}: its sender is gone, the last \
                 value was {:?} (waiting at {waiting_at})",
                *signal.borrow()
            ),
            Err(_) => panic!(
                "gave up waiting for {what} after {limit:?}: the last value \
                 was {:?} (waiting at {waiting_at})",
                *signal.borrow()
            ),
        }
    }
}

// ANCHOR: planted_hang -- a wait that never ends is a failure at its deadline, with what it waited for
/// A planted hang: a signal that nobody ever sends. The wait fails at its
/// deadline, naming what it waited for, instead of hanging the suite.
#[tokio::test]
async fn a_wait_that_never_ends_fails_at_its_deadline_and_says_for_what() {
    let started = std::time::Instant::now();
    let never_sent = std::future::pending::<()>();

    let waiting = tokio::spawn(within(
        Duration::from_millis(200),
        "a signal nobody sends",
        never_sent,
    ));
    let failure = waiting.await.expect_err("a wait that never ends fails");

    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(200) && waited < DEADLINE,
        "expected the failure at the 200 ms deadline, not after {waited:?}"
    );
    let panic = failure.into_panic();
    let message = panic
        .downcast_ref::<String>()
        .expect("the failure is a formatted message");
    assert!(
        message.starts_with(
            "gave up waiting for a signal nobody sends after 200ms"
        ),
        "the failure should say what was awaited; it says: {message}"
    );
}
// ANCHOR_END: planted_hang

/// A progress signal that stops short fails at the deadline and shows the
/// last value it had, so the reader sees how far the work got.
#[tokio::test]
async fn a_signal_that_stops_short_fails_with_its_last_value() {
    let (progress, mut watching) = watch::channel(0_u32);
    progress.send_replace(2); // two of three jobs done, then nothing more

    let waiting = tokio::spawn(async move {
        progress_reaches(
            &mut watching,
            Duration::from_millis(200),
            "three jobs done",
            |done| *done == 3,
        )
        .await;
        drop(progress);
    });
    let panic = waiting.await.expect_err("it never reaches 3").into_panic();

    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with(
            "gave up waiting for three jobs done after 200ms: the last value \
             was 2"
        ),
        "the failure should show the last value seen; it says: {message}"
    );
}
