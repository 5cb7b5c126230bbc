//! Exercise for "The checklist, proven": make a test pass the checker.
//!
//! The test under review is a string: the checker reads source code, and a
//! string lets the exercise hold a test that is never compiled or run.

use std::path::Path;

use test_lint::{Finding, Options, lint_source_with};

/// Lints `source` as a test file, the way `cargo xtask lint` lints the book:
/// `until` (the polling helper's) counts as an assertion.
fn lint(source: &str) -> Vec<Finding> {
    let options = Options {
        assertion_fns: vec!["until".to_owned()],
    };
    lint_source_with(Path::new("tests/api/welcome.rs"), source, &options)
        .expect("the test under review parses")
}

mod solution;
mod starter;
