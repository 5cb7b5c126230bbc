//! A tiny library for the chapter "Rust's test tools": one function with
//! something to test, so the chapter's commands have tests to run.

use std::time::Duration;

/// How long to wait before retry number `attempt` (0 is the first retry):
/// 100 ms, doubling each time, never more than [`MAX_DELAY`].
pub fn retry_delay(attempt: u32) -> Duration {
    let doubled = 100u64.saturating_mul(1u64 << attempt.min(63));
    Duration::from_millis(doubled).min(MAX_DELAY)
}

/// The longest a retry ever waits.
pub const MAX_DELAY: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    /// The first retry waits 100 ms.
    #[test]
    fn the_first_retry_waits_100_ms() {
        assert_eq!(retry_delay(0), Duration::from_millis(100));
    }
}
