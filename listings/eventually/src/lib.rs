//! Waits for something that happens in the background — a worker marking a
//! job done, a process printing a line — without guessing how long it takes.
//!
//! ```text
//! poll("the welcome email to be sent")      what we wait for, in words
//!     .timeout(Duration::from_secs(10))     give up after this long
//!     .until(|| outbox_status(&pool, id),   look (any async probe)
//!            |status| status == "sent")     is this what we wait for?
//!     .await                                → the value that satisfied it
//! ```
//!
//! A `sleep(200ms)` guesses: too short and the test fails on a slow machine,
//! too long and every run pays for the worst case. Polling returns as soon as
//! the condition holds and waits as long as the deadline allows. When it does
//! give up, it says what it waited for, how long, and the last value it saw:
//! "gave up … the last check saw \"pending\"" points at the bug, where a bare
//! "timed out" points at nothing.

use std::{fmt, future::Future, time::Duration};

use tokio::time::Instant;

/// How long [`Poll::until`] waits unless told otherwise. Generous on purpose:
/// a passing test returns as soon as the condition holds, so a long deadline
/// costs nothing until something is really broken.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Pause between two looks. Short enough that a test waits at most this much
/// longer than it must; long enough not to hammer a database.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(20);

/// Starts describing a wait. `what` finishes the sentence "waiting for …".
pub fn poll(what: &str) -> Poll<'_> {
    Poll {
        what,
        timeout: DEFAULT_TIMEOUT,
        interval: DEFAULT_INTERVAL,
    }
}

/// A wait being described; run it with [`until`](Poll::until).
#[derive(Debug, Clone, Copy)]
pub struct Poll<'a> {
    what: &'a str,
    timeout: Duration,
    interval: Duration,
}

/// Why [`Poll::try_until`] gave up. Its `Display` is the failure message.
#[derive(Debug)]
pub struct GaveUp<T> {
    pub what: String,
    pub timeout: Duration,
    /// How many looks answered in time.
    pub checks: u32,
    /// What the last look saw; `None` if no look answered before the deadline.
    pub last: Option<T>,
}

impl<T: fmt::Debug> fmt::Display for GaveUp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gave up waiting for {} after {:?}: ",
            self.what, self.timeout
        )?;
        match &self.last {
            Some(last) => {
                write!(f, "{} checks, the last check saw {last:?}", self.checks)
            }
            None => write!(
                f,
                "no check answered in time (is the probe itself stuck?)"
            ),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for GaveUp<T> {}

impl<'a> Poll<'a> {
    pub fn timeout(self, timeout: Duration) -> Self {
        Poll { timeout, ..self }
    }

    pub fn interval(self, interval: Duration) -> Self {
        Poll { interval, ..self }
    }

    // ANCHOR: until -- poll until done or a deadline, then report the last look
    /// Calls `probe` until `done` accepts what it returns, and returns that
    /// value. Panics with the [`GaveUp`] message at the deadline: in a test, a
    /// wait that never ends *is* the failure.
    #[track_caller]
    pub fn until<T, F, Fut>(
        self,
        probe: F,
        done: impl Fn(&T) -> bool,
    ) -> impl Future<Output = T>
    where
        T: fmt::Debug,
        F: FnMut() -> Fut,
        Fut: Future<Output = T>,
    {
        // Not an `async fn`: only a plain function can learn its caller's
        // line, and the failure should point at the test, not at this file.
        let waiting_at = std::panic::Location::caller();
        async move {
            self.try_until(probe, done).await.unwrap_or_else(|gave_up| {
                panic!("{gave_up} (waiting at {waiting_at})")
            })
        }
    }

    /// Like [`until`](Poll::until), but hands the failure back instead of
    /// panicking, for a caller that wants to add to the message.
    pub async fn try_until<T, F, Fut>(
        self,
        mut probe: F,
        done: impl Fn(&T) -> bool,
    ) -> Result<T, GaveUp<T>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = T>,
    {
        // tokio's clock, not the OS's: a test that pauses time checks a
        // 10-second deadline in no real time at all.
        let deadline = Instant::now() + self.timeout;
        let mut checks = 0;
        let mut last = None;
        loop {
            // A probe that hangs (a query waiting on a lock) must not carry
            // the wait past its deadline.
            let Ok(value) = tokio::time::timeout_at(deadline, probe()).await
            else {
                break;
            };
            checks += 1;
            if done(&value) {
                return Ok(value);
            }
            last = Some(value);
            if Instant::now() >= deadline {
                break;
            }
            // Never sleep past the deadline: the last look happens at it.
            tokio::time::sleep_until(
                (Instant::now() + self.interval).min(deadline),
            )
            .await;
        }
        Err(GaveUp {
            what: self.what.to_owned(),
            timeout: self.timeout,
            checks,
            last,
        })
    }
    // ANCHOR_END: until
}

// ANCHOR: within -- a wait for one event that fails at a deadline and names what it waited for
/// Waits for `work`, but no longer than `limit`: past it, the test fails
/// with "gave up waiting for {what}". Use it for every `.await` that waits on
/// something the test doesn't drive itself: a hook being reached, a spawned
/// task, a child process.
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
// ANCHOR_END: within

#[cfg(test)]
mod tests {
    use std::{future::pending, time::Duration};

    use tokio::time::Instant;

    use super::poll;

    /// A probe that counts its calls: the n-th call returns n.
    fn counter() -> impl FnMut() -> std::future::Ready<u32> {
        let mut calls = 0;
        move || {
            calls += 1;
            std::future::ready(calls)
        }
    }

    // ANCHOR: paused_time
    /// A 10-second deadline, checked in paused time: the test takes
    /// microseconds, and the elapsed time is exact, so it can be asserted.
    #[tokio::test(start_paused = true)]
    async fn it_gives_up_at_the_deadline_and_shows_the_last_value_it_saw() {
        let started = Instant::now();

        let gave_up = poll("the counter to reach 100")
            .timeout(Duration::from_secs(10))
            .interval(Duration::from_secs(1))
            .try_until(counter(), |n| *n >= 100)
            .await
            .expect_err("the counter only reaches 11 in 10 s");

        assert_eq!(
            started.elapsed(),
            Duration::from_secs(10),
            "gives up at the deadline, not before or after"
        );
        assert_eq!(
            gave_up.to_string(),
            "gave up waiting for the counter to reach 100 after 10s: \
             11 checks, the last check saw 11"
        );
    }

    /// As soon as the condition holds, the wait is over: no rounding up to
    /// the next second, no "just in case".
    #[tokio::test(start_paused = true)]
    async fn it_returns_the_first_value_that_satisfies_the_condition() {
        let started = Instant::now();

        let seen = poll("the counter to reach 3")
            .interval(Duration::from_secs(1))
            .until(counter(), |n| *n >= 3)
            .await;

        assert_eq!(seen, 3);
        assert_eq!(
            started.elapsed(),
            Duration::from_secs(2),
            "three looks, two pauses between them"
        );
    }
    // ANCHOR_END: paused_time

    // ANCHOR: advance
    /// Moving the clock by hand: one tick before the deadline the wait is
    /// still on; at the deadline it has given up. No real time passes.
    #[tokio::test]
    async fn it_keeps_waiting_until_the_very_deadline() {
        tokio::time::pause();
        let never_answers = || pending::<u32>();
        let wait = tokio::spawn(
            poll("an answer")
                .timeout(Duration::from_secs(10))
                .try_until(never_answers, |_| true),
        );
        // Let the wait start (and read the clock) before we move it.
        tokio::task::yield_now().await;

        tokio::time::advance(Duration::from_millis(9_999)).await;
        assert!(!wait.is_finished(), "gave up before the 10 s deadline");

        tokio::time::advance(Duration::from_millis(1)).await;
        let gave_up = wait.await.unwrap().expect_err("nothing ever answers");
        assert_eq!(
            gave_up.to_string(),
            "gave up waiting for an answer after 10s: no check answered \
             in time (is the probe itself stuck?)"
        );
    }
    // ANCHOR_END: advance

    /// `until` turns giving up into a panic whose message is the whole story,
    /// down to the line of the test that was waiting.
    #[tokio::test(start_paused = true)]
    #[should_panic(
        expected = "gave up waiting for the counter to reach 100 after 1s: 2 checks, the last check saw 2 (waiting at listings/eventually/src/lib.rs:"
    )]
    async fn until_panics_with_the_message() {
        let never = poll("the counter to reach 100")
            .timeout(Duration::from_secs(1))
            .interval(Duration::from_secs(1));
        never.until(counter(), |n| *n >= 100).await;
    }
}
