//! Where the worker reads the time.
//!
//! Leases and back-off are moments: "this job is held until 12:00:30", "try
//! again after 12:01:10". If the code read them from `now()` in SQL or from
//! `SystemTime::now()`, a test of "retried after 40 s" would have to wait
//! 40 s, and could never say exactly when "now" is. Reading them from a
//! [`Clock`] the caller hands in lets a test set the time, move it by an hour
//! in a microsecond, and know to the nanosecond what the worker saw.

use std::time::SystemTime;

// ANCHOR: clock
/// A source of the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
}

/// The real time: what the binaries use.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
// ANCHOR_END: clock
