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

/// The waits of a policy that tries `attempts` times: one before each
/// retry.
///
/// # Panics
///
/// On zero attempts: a policy that never tries is a bug in its caller, not
/// a case to handle.
pub fn schedule(attempts: u32) -> Vec<Duration> {
    assert!(attempts > 0, "a retry policy needs at least one attempt");
    (0..attempts - 1).map(retry_delay).collect()
}

// ANCHOR: parse_delay -- the feature, written after its test: seconds too
/// Reads a delay from a setting: `250ms` or `2s`.
pub fn parse_delay(text: &str) -> Result<Duration, String> {
    let number = |digits: &str| {
        digits
            .parse::<u64>()
            .map_err(|e| format!("{text:?} is not a delay: {e}"))
    };
    if let Some(ms) = text.strip_suffix("ms") {
        Ok(Duration::from_millis(number(ms)?))
    } else if let Some(s) = text.strip_suffix('s') {
        Ok(Duration::from_secs(number(s)?))
    } else {
        Err(format!("{text:?}: unknown unit (expected ms or s)"))
    }
}
// ANCHOR_END: parse_delay

/// The first `parse_delay`, before its test for seconds was written: it
/// knows milliseconds only. Kept so the book can run the red step.
pub mod before_seconds {
    use std::time::Duration;

    // ANCHOR: parse_delay_ms -- the first version: milliseconds only
    /// Reads a delay from a setting: `250ms`.
    pub fn parse_delay(text: &str) -> Result<Duration, String> {
        let ms = text
            .strip_suffix("ms")
            .ok_or_else(|| format!("{text:?}: unknown unit (expected ms)"))?;
        let ms = ms
            .parse::<u64>()
            .map_err(|e| format!("{text:?} is not a delay: {e}"))?;
        Ok(Duration::from_millis(ms))
    }
    // ANCHOR_END: parse_delay_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first retry waits 100 ms.
    #[test]
    fn the_first_retry_waits_100_ms() {
        assert_eq!(retry_delay(0), Duration::from_millis(100));
    }
}
