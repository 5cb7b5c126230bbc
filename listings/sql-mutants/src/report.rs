//! What became of each mutant, and the lines a reader sees.

use std::{fmt, path::Path, time::Duration};

/// What the tests made of one mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A test failed: the suite noticed the change.
    Caught,
    /// Every test passed: nothing checks what the change broke.
    Missed,
    /// The tests ran past the time limit. Counted apart: a mutant that makes
    /// a test wait forever is caught, but at the cost of the whole limit.
    Timeout,
    /// It didn't build (a `sqlx::query!` checks its SQL at compile time):
    /// says nothing about the tests.
    Unviable,
    /// Listed as equivalent, with the reason, in the crate's
    /// `sql-mutants-equivalent.txt`: it can't change what the code does, so
    /// no test could catch it, and it isn't run.
    Equivalent,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let word = match self {
            Outcome::Caught => "caught",
            Outcome::Missed => "MISSED",
            Outcome::Timeout => "timeout",
            Outcome::Unviable => "unviable",
            Outcome::Equivalent => "equiv",
        };
        // Padded by hand: `{:8}` on the caller's side would pad nothing,
        // because this writes the word directly.
        write!(f, "{word:<8}")
    }
}

/// One line of the report: `MISSED   src/worker.rs:201  drop "..."`.
pub fn line(
    outcome: Outcome,
    file: &Path,
    line: usize,
    description: &str,
) -> String {
    format!("{outcome} {}:{line}  {description}", file.display())
}

/// The totals, as the last line of a run.
pub fn summary(outcomes: &[Outcome], took: Duration) -> String {
    let count = |kind| outcomes.iter().filter(|&&o| o == kind).count();
    format!(
        "{} mutants in {:.0} s: {} caught, {} missed, {} timeout, {} unviable, \
         {} equivalent",
        outcomes.len(),
        took.as_secs_f64(),
        count(Outcome::Caught),
        count(Outcome::Missed),
        count(Outcome::Timeout),
        count(Outcome::Unviable),
        count(Outcome::Equivalent),
    )
}
