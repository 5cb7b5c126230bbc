//! The starter: an ignored test that fails until you solve it.

use std::time::Duration;

use user_service::worker::Settings;

// ANCHOR: starter
/// The retry back-off doubles after each failed attempt, up to its
/// ceiling: every case in microseconds, no database, no worker.
#[test]
#[ignore = "exercise starter: fix the wrong row, then add rows for the edges"]
fn the_backoff_doubles_up_to_its_ceiling() {
    let settings = Settings::default(); // 10 s first, 10 min ceiling
    // (failed attempt, expected wait), written from the doc's first line.
    let cases = [(1, 10), (2, 20), (3, 40), (7, 640)];

    for (attempt, seconds) in cases {
        assert_eq!(
            settings.backoff_after(attempt),
            Duration::from_secs(seconds),
            "wait after failed attempt {attempt}"
        );
    }
}
// ANCHOR_END: starter
