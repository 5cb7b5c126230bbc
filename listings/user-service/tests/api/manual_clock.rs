//! A clock for tests: it stands still until the test moves it.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, SystemTime},
};

use user_service::clock::Clock;

// ANCHOR: manual_clock -- a clock that stands still until the test moves it
/// Starts at the real "now" (so rows the database stamps with `now()` are not
/// in its future) and then moves only by [`advance`](ManualClock::advance).
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    pub fn starting_now() -> Arc<ManualClock> {
        Arc::new(ManualClock(Mutex::new(SystemTime::now())))
    }

    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}
// ANCHOR_END: manual_clock
