//! One small feature built test-first: delays in seconds. The test was
//! written before the code; run against the first version, it fails for
//! the reason it should (red); against the feature, it passes (green).

use std::{error::Error, time::Duration};

// ANCHOR: red -- red: the test, run before the feature exists
// OUTPUT: output/red.txt
// BROKEN ON PURPOSE: the first parse_delay knows only milliseconds, so the
// new test fails with its "unknown unit" error.
/// A delay setting in seconds reads as that many seconds.
#[test]
#[ignore = "broken on purpose: red, the first version knows only ms"]
fn red_a_delay_setting_in_seconds_reads_as_seconds()
-> Result<(), Box<dyn Error>> {
    use test_tools::before_seconds::parse_delay;
    assert_eq!(parse_delay("2s")?, Duration::from_secs(2));
    Ok(())
}

/// Proves the red test fails, and for the reason it should: no unit `s`.
#[test]
fn the_red_test_fails_because_seconds_are_not_known_yet() {
    expect_failure::assert_fails_because(
        "test_first::red_a_delay_setting_in_seconds_reads_as_seconds",
        &["unknown unit (expected ms)"],
    );
}
// ANCHOR_END: red

// ANCHOR: green -- green: the same test against the feature
// FIXES: test_first::red_a_delay_setting_in_seconds_reads_as_seconds
/// A delay setting in seconds reads as that many seconds.
#[test]
fn a_delay_setting_in_seconds_reads_as_seconds() -> Result<(), Box<dyn Error>> {
    assert_eq!(test_tools::parse_delay("2s")?, Duration::from_secs(2));
    Ok(())
}
// ANCHOR_END: green
