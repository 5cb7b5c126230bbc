//! The solution: the same test, solved; `cargo test` runs it.

use std::time::Duration;

use user_service::worker::Settings;

// ANCHOR: solution
/// The retry back-off doubles after each failed attempt, up to its
/// ceiling: every case in microseconds, no database, no worker.
#[test]
fn the_backoff_doubles_up_to_its_ceiling() {
    let settings = Settings::default(); // 10 s first, 10 min ceiling
    let cases = [
        (1, 10),
        (2, 20),
        (3, 40),
        (6, 320),
        (7, 600),   // 640 would pass the ceiling
        (100, 600), // no overflow however long a job keeps failing
        (0, 10),    // not a real attempt number; the first wait, not a panic
    ];

    for (attempt, seconds) in cases {
        assert_eq!(
            settings.backoff_after(attempt),
            Duration::from_secs(seconds),
            "wait after failed attempt {attempt}"
        );
    }
}
// ANCHOR_END: solution
