//! `cargo xtask broken`: counts the broken-on-purpose listings and fails
//! unless each is proven.
//!
//! - a broken listing is a test with `#[ignore = "broken on purpose: …"]`;
//! - it is proven only when a test of the same package calls
//!   `expect_failure::assert_fails_because("<module>::<test>", …)` (or
//!   `BrokenRun::new("<module>::<test>")`) with that exact name;
//! - its named fix is a test marked `// FIXES: <module>::<test>`;
//! - checker fixtures are the `// BROKEN ON PURPOSE` items the checker's
//!   own tests read (listings/test-lint/tests/fixtures).

use std::collections::BTreeSet;

use anyhow::{Result, bail};

use crate::{rust, util};

/// The book has at least this many broken listings; fewer means the reader
/// found none, not that the book has none.
pub const MIN_BROKEN: usize = 15;
/// And at least this many checker fixtures.
pub const MIN_FIXTURES: usize = 5;

pub fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask broken");
    }
    let root = util::root();
    let tests = rust::workspace_tests(&root)?;
    let proofs: BTreeSet<(String, String)> = tests
        .iter()
        .flat_map(|t| {
            t.proves
                .iter()
                .map(|p| (t.target.package.clone(), p.clone()))
        })
        .collect();
    let fixes: BTreeSet<(String, String)> = tests
        .iter()
        .flat_map(|t| {
            t.markers_with("FIXES:")
                .map(|p| (t.target.package.clone(), p.trim().to_string()))
        })
        .collect();
    let mut broken = 0;
    let mut fixed = 0;
    let mut unproven = Vec::new();
    let mut without_fix = Vec::new();
    for t in &tests {
        let Some(reason) = &t.ignore else { continue };
        if !reason.starts_with("broken on purpose") {
            continue;
        }
        broken += 1;
        let key = (t.target.package.clone(), t.path.clone());
        println!("  broken: {}: {}", t.target.package, t.path);
        if !proofs.contains(&key) {
            unproven.push(format!(
                "{}:{}: `{}` has no proving test (add one calling \
                 expect_failure::assert_fails_because(\"{}\", &[\"<reason>\"]))",
                t.file.strip_prefix(&root).unwrap().display(),
                t.line,
                t.path,
                t.path
            ));
        }
        if fixes.contains(&key) {
            fixed += 1;
        } else {
            without_fix.push(format!("{}: {}", t.target.package, t.path));
        }
    }
    let mut fixtures = 0;
    let fixture_dir = root.join("listings/test-lint/tests/fixtures");
    for file in std::fs::read_dir(&fixture_dir)?.flatten() {
        let text = std::fs::read_to_string(file.path())?;
        fixtures += test_lint::marked_items(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.path().display()))?
            .iter()
            .filter(|m| m.allows == test_lint::Allows::Everything)
            .count();
    }
    println!(
        "broken listings proven by expect-failure: {} of {broken}",
        broken - unproven.len()
    );
    println!("named fixes beside them (// FIXES: <test>): {fixed}");
    if !without_fix.is_empty() {
        println!("broken listings without a named fix yet:");
        for b in &without_fix {
            println!("  {b}");
        }
    }
    println!("checker fixtures flagged by test-lint: {fixtures}");
    let mut problems = unproven;
    if broken < MIN_BROKEN {
        problems.push(format!(
            "found {broken} broken listings, expected at least {MIN_BROKEN}"
        ));
    }
    if fixtures < MIN_FIXTURES {
        problems.push(format!(
            "found {fixtures} checker fixtures, expected at least \
             {MIN_FIXTURES}"
        ));
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    Ok(())
}
