//! How a test says it passed: by not panicking, by panicking as expected
//! (`#[should_panic]`), or by returning `Ok` (a test that returns `Result`).

use std::{error::Error, time::Duration};

use test_tools::{parse_delay, schedule};

// ANCHOR: should_panic -- a test that passes only if the code panics
/// A policy with no attempts is refused with a panic that says why.
#[test]
#[should_panic(expected = "at least one attempt")]
fn a_policy_with_no_attempts_is_refused() {
    schedule(0);
}
// ANCHOR_END: should_panic

// ANCHOR: result -- a test that returns Result and uses ?
/// A delay setting in milliseconds reads as that many milliseconds.
#[test]
fn a_delay_setting_in_milliseconds_reads_as_such() -> Result<(), Box<dyn Error>>
{
    let delay = parse_delay("250ms")?;
    assert_eq!(delay, Duration::from_millis(250));
    Ok(())
}
// ANCHOR_END: result
