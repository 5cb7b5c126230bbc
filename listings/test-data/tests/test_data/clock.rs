//! A clock the test sets and moves: the test double for the app's
//! [`Clock`](user_service::clock::Clock) seam (see the chapter on jobs).

use std::{
    sync::Mutex,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use user_service::clock::Clock;

// ANCHOR: test_clock
/// Stands still until the test moves it.
#[derive(Debug)]
pub struct TestClock {
    now: Mutex<SystemTime>,
}

impl TestClock {
    /// 2030-01-01T00:00:00Z. Fixed, so every timestamp a test writes is the
    /// same on every run; years from today, so code that quietly reads the
    /// real clock instead of this one stands out in any assertion on time.
    pub fn start() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_893_456_000)
    }

    pub fn new() -> Self {
        TestClock {
            now: Mutex::new(Self::start()),
        }
    }

    /// Moves time forward; whatever reads the clock next sees the new time.
    pub fn advance(&self, by: Duration) {
        *self.now.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap()
    }
}
// ANCHOR_END: test_clock
