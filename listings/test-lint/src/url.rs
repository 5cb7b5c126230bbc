//! Finding URLs that leave the machine in a string.
//!
//! Only `http://` and `https://` URLs count: an email address such as
//! `ada@example.com` names no server a test would call.

/// Returns the host of the first `http(s)://` URL in `text` whose host is
/// neither this machine nor a name that can never resolve, if there is one.
///
/// Allowed: `localhost` (and `*.localhost`), `127.0.0.0/8`, `[::1]`, the
/// "any address" binds `0.0.0.0` and `[::]`, and the reserved top-level names
/// `.test`, `.example`, `.invalid` (RFC 2606: no DNS answers for them, so no
/// request can reach a real server). `example.com` *does* resolve, so it is
/// reported. A URL built by `format!` (`"http://{addr}/"`) is skipped: its
/// host is not in the literal.
pub fn url_host_off_this_machine(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(at) = find_scheme(rest) {
        let after = &rest[at..];
        let authority_start =
            after.find("://").map(|i| i + 3).unwrap_or(after.len());
        let authority: &str = after[authority_start..]
            .split(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '`' | ')' | '>')
                    || c.is_whitespace()
            })
            .next()
            .unwrap_or("");
        // user:password@host — the host is after the last '@'.
        let host_and_port = authority.rsplit('@').next().unwrap_or("");
        let host = if host_and_port.starts_with('[') {
            host_and_port.split_inclusive(']').next().unwrap_or("")
        } else {
            host_and_port.split(':').next().unwrap_or("")
        };
        if is_literal_host(host) && !stays_on_this_machine(host) {
            return Some(host.to_string());
        }
        rest = &after[authority_start..];
    }
    None
}

fn find_scheme(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    [lower.find("http://"), lower.find("https://")]
        .into_iter()
        .flatten()
        .min()
}

/// A host written out in full: letters, digits, dots and dashes, or an IPv6
/// address in brackets. `{addr}` or an empty host is a template, not a host.
fn is_literal_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[') {
        return inner.ends_with(']') && inner.len() > 1;
    }
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

fn stays_on_this_machine(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    if matches!(host, "localhost" | "0.0.0.0" | "[::1]" | "[::]") {
        return true;
    }
    if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        return ip.is_loopback();
    }
    [".localhost", ".test", ".example", ".invalid"]
        .iter()
        .any(|tld| host.ends_with(tld))
}
