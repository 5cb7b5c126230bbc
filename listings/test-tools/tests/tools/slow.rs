//! A test too slow for every run, kept out of `cargo test` with `#[ignore]`.

use test_tools::{MAX_DELAY, retry_delay};

// ANCHOR: ignored -- an ignored test says why, and how to run it
/// No attempt number, however large, waits longer than the cap.
// OUTPUT: output/ignored.txt $ cargo test -p test-tools --test tools \
//   -- --ignored slow::
#[test]
#[ignore = "slow: tries every attempt number up to ten million; \
            run it with --ignored"]
fn no_attempt_waits_longer_than_the_cap() {
    for attempt in 0..=10_000_000 {
        assert!(retry_delay(attempt) <= MAX_DELAY, "attempt {attempt}");
    }
}
// ANCHOR_END: ignored
