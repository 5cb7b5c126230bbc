//! Exercise for "Real dependencies in containers": prove the container runs
//! the PostgreSQL version the harness asked for.

/// The major version the harness asked for: the leading digits of
/// `POSTGRES_TAG` ("15", "15.4", "15-alpine"), or of the default tag.
fn requested_major_version() -> u32 {
    let tag = std::env::var(containers::postgres::TAG_VAR)
        .unwrap_or_else(|_| containers::postgres::DEFAULT_TAG.to_owned());
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or_else(|_| {
        panic!("POSTGRES_TAG {tag:?} doesn't start with a major version")
    })
}

mod solution;
mod starter;
