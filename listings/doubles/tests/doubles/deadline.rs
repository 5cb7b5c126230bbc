//! Every wait on the app or its email client ends. A call that, when the
//! code works, answers in milliseconds goes through [`within`], so a client
//! that retries forever fails the test with a message instead of hanging it.

use std::time::Duration;

/// How long a test waits for the app or the email client: far above the
/// milliseconds they take when they work (three tries against a stub take
/// well under a second), far below a CI job's own limit.
pub const DEADLINE: Duration = Duration::from_secs(10);

// The same wait every suite of the book uses, from the `eventually` crate.
pub use eventually::within;
