//! What a test prints, and when `cargo test` shows it.

use test_tools::{MAX_DELAY, retry_delay};

// ANCHOR: prints -- prints are captured; --show-output shows them
/// The delays double until they reach the cap, then stay there.
// OUTPUT: output/show-output.txt $ cargo test -p test-tools --test tools \
//   -- --exact output::the_delays_double_until_the_cap --show-output
#[test]
fn the_delays_double_until_the_cap() {
    let delays: Vec<_> = (0..9).map(retry_delay).collect();
    // Captured by the test harness: shown only if the test fails, or when
    // asked for with `--show-output` or `--nocapture`.
    println!("delays: {delays:?}");

    for pair in delays.windows(2) {
        let expected = (pair[0] * 2).min(MAX_DELAY);
        assert_eq!(pair[1], expected, "in {delays:?}");
    }
    assert_eq!(delays.last(), Some(&MAX_DELAY));
}
// ANCHOR_END: prints
