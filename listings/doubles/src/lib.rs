//! Support for the two chapters on test doubles.
//!
//! - [`require_loopback`]: a check that a URL a test is about to hand the app
//!   points at this machine. Tests build their config through it, so a
//!   production URL pasted into a test fails at once, with a message, instead
//!   of sending a real email from CI.
//! - [`welcome`]: a seam, a trait the sending code takes, so a test can swap
//!   the HTTP email client for an in-memory fake.

pub mod welcome;

use std::fmt;

use url::{Host, Url};

// ANCHOR: guard
/// A URL a test tried to use that leaves this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotLoopback {
    pub url: String,
}

impl fmt::Display for NotLoopback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "refusing to use {} in a test: it is not a loopback address, \
             so the test would call a real service. Point it at a stand-in \
             on 127.0.0.1 instead, e.g. `MockServer::start().await.uri()`",
            self.url
        )
    }
}

impl std::error::Error for NotLoopback {}

/// `Ok` only for URLs whose host is on this machine: 127.0.0.0/8, `[::1]` or
/// `localhost`. Decided from the URL alone, without a DNS lookup: a lookup
/// would itself be a network call, and a name can resolve differently in CI.
pub fn require_loopback(url: &Url) -> Result<(), NotLoopback> {
    let on_this_machine = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if on_this_machine {
        Ok(())
    } else {
        Err(NotLoopback {
            url: url.to_string(),
        })
    }
}
// ANCHOR_END: guard
