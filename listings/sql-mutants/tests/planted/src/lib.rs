//! One query, and a test that checks only half of it.

/// The jobs a worker may take: pending ones with attempts left.
pub const DUE: &str =
    "SELECT id FROM jobs WHERE status = 'pending' AND attempts < 5";

#[cfg(test)]
mod tests {
    /// Checks the retry limit and nothing else. The status condition is
    /// left unchecked on purpose: its mutants must be reported missed.
    #[test]
    fn the_due_query_stops_at_five_attempts() {
        assert!(super::DUE.ends_with("attempts < 5"), "{}", super::DUE);
    }
}
