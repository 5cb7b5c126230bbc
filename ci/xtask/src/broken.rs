//! `cargo xtask broken`: counts the broken-on-purpose listings and fails
//! unless each is proven and has a named fix.
//!
//! - a broken listing is a test with `#[ignore = "broken on purpose: …"]`;
//! - it is proven only when a test of the same package calls
//!   `expect_failure::assert_fails_because("<module>::<test>", …)` (or
//!   `BrokenRun::new("<module>::<test>")`) with that exact name;
//! - it is fixed only when a test of the same package that is not ignored
//!   carries `// FIXES: <module>::<test>` above it (whitespace in the name is
//!   dropped, so a long one may wrap: `// FIXES: <module>::\` and the rest on
//!   the next `//` line);
//! - a `FIXES` marker that names no broken listing of its package, or sits
//!   on an ignored test, fails the check too;
//! - checker fixtures are the `// BROKEN ON PURPOSE` items the checker's
//!   own tests read (listings/test-lint/tests/fixtures).

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

use anyhow::{Result, bail};

use crate::{
    rust::{self, TestItem},
    util,
};

/// The book has at least this many broken listings; fewer means the reader
/// found none, not that the book has none.
pub const MIN_BROKEN: usize = 15;
/// And at least this many checker fixtures.
pub const MIN_FIXTURES: usize = 5;

pub fn check_all() -> Result<()> {
    let root = util::root();
    let tests = rust::workspace_tests(&root)?;
    let tally = check(&root, &tests);
    for (package, path) in &tally.broken {
        println!("  broken: {package}: {path}");
    }
    let broken = tally.broken.len();
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
        tally.proven
    );
    println!(
        "broken listings with a named fix (// FIXES: <test>): {} of {broken}",
        tally.fixed
    );
    println!("checker fixtures flagged by test-lint: {fixtures}");
    let mut problems = tally.problems;
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

/// What the broken listings, their proofs and their fixes add up to.
#[derive(Debug, Default)]
struct Tally {
    /// (package, test path) of every broken listing, in file order.
    broken: Vec<(String, String)>,
    /// How many of them a test proves.
    proven: usize,
    /// How many of them a passing test names as its fix.
    fixed: usize,
    /// One line per fault, each starting with `file:line:`.
    problems: Vec<String>,
}

/// The test a `// FIXES:` marker names: its text without whitespace, so a
/// name wrapped with `\` reads as one.
fn named_fix(marker: &str) -> String {
    marker.split_whitespace().collect()
}

fn is_broken(t: &TestItem) -> bool {
    t.item
        .ignore_reason
        .as_deref()
        .is_some_and(|r| r.starts_with("broken on purpose"))
}

/// `file:line` of a test, relative to the book's root.
fn at(root: &Path, t: &TestItem) -> String {
    let file: PathBuf = t.file.strip_prefix(root).unwrap_or(&t.file).into();
    format!("{}:{}", file.display(), t.item.line)
}

fn check(root: &Path, tests: &[TestItem]) -> Tally {
    let key = |t: &TestItem| (t.target.package.clone(), t.path.clone());
    let proofs: BTreeSet<(String, String)> = tests
        .iter()
        .flat_map(|t| {
            t.item
                .proves
                .iter()
                .map(|p| (t.target.package.clone(), p.clone()))
        })
        .collect();
    let broken: BTreeSet<(String, String)> =
        tests.iter().filter(|t| is_broken(t)).map(key).collect();
    let mut tally = Tally::default();
    let mut fixes = BTreeSet::new();
    for t in tests {
        for marker in t.item.markers_with("FIXES:") {
            let name = named_fix(marker);
            let package = &t.target.package;
            let here = at(root, t);
            if t.item.ignore_reason.is_some() {
                tally.problems.push(format!(
                    "{here}: `// FIXES: {name}` sits on `{}`, an ignored \
                     test; a fix is a test that runs and passes",
                    t.path
                ));
            } else if broken.contains(&(package.clone(), name.clone())) {
                fixes.insert((package.clone(), name));
            } else if tests
                .iter()
                .any(|o| &o.target.package == package && o.path == name)
            {
                tally.problems.push(format!(
                    "{here}: `// FIXES: {name}` names a test that is not \
                     broken on purpose"
                ));
            } else {
                tally.problems.push(format!(
                    "{here}: `// FIXES: {name}` names no test of {package} \
                     (write it as <module>::<test>)"
                ));
            }
        }
    }
    for t in tests.iter().filter(|t| is_broken(t)) {
        tally.broken.push(key(t));
        let here = at(root, t);
        if proofs.contains(&key(t)) {
            tally.proven += 1;
        } else {
            tally.problems.push(format!(
                "{here}: `{}` has no proving test (add one calling \
                 expect_failure::assert_fails_because(\"{}\", &[\"<reason>\"]))",
                t.path, t.path
            ));
        }
        if fixes.contains(&key(t)) {
            tally.fixed += 1;
        } else {
            tally.problems.push(format!(
                "{here}: `{}` has no named fix (put `// FIXES: {}` above the \
                 passing test that fixes it)",
                t.path, t.path
            ));
        }
    }
    tally
}

#[cfg(test)]
mod tests {
    use book_model::test_items::Item;
    use mdbook_listings::target::{Kind, Target};

    use super::*;

    /// A test of package `demo` at `path`, with its ignore reason, markers
    /// and proving calls.
    fn item(
        path: &str,
        ignore: Option<&str>,
        markers: &[&str],
        proves: &[&str],
    ) -> TestItem {
        TestItem {
            file: PathBuf::from("/book/listings/demo/tests/demo/a.rs"),
            target: Target {
                package: "demo".into(),
                path_in_crate: "tests/demo/a.rs".into(),
                kind: Kind::Test("demo".into()),
                module_path: vec!["a".into()],
            },
            path: path.into(),
            item: Item {
                ignore_reason: ignore.map(str::to_owned),
                markers: markers.iter().map(|m| m.to_string()).collect(),
                proves: proves.iter().map(|p| p.to_string()).collect(),
                line: 7,
                ..Item::default()
            },
        }
    }

    const BROKEN: Option<&str> = Some("broken on purpose: it sleeps");

    fn problems(tests: &[TestItem]) -> Vec<String> {
        check(Path::new("/book"), tests).problems
    }

    /// A broken listing that is proven and named by a passing fix, even with
    /// the name wrapped over two lines, passes.
    #[test]
    fn a_proven_broken_listing_with_a_named_fix_passes() {
        let tests = [
            item("a::broken_sleeps", BROKEN, &[], &[]),
            item("a::proves", None, &[], &["a::broken_sleeps"]),
            item("a::waits", None, &["FIXES: a:: broken_sleeps"], &[]),
        ];
        let tally = check(Path::new("/book"), &tests);
        assert_eq!(tally.problems, Vec::<String>::new());
        assert_eq!((tally.broken.len(), tally.proven, tally.fixed), (1, 1, 1));
    }

    /// Without a `FIXES` marker naming it, the broken listing fails.
    #[test]
    fn a_broken_listing_without_a_named_fix_fails() {
        let tests = [
            item("a::broken_sleeps", BROKEN, &[], &[]),
            item("a::proves", None, &[], &["a::broken_sleeps"]),
        ];
        assert_eq!(
            problems(&tests),
            [
                "listings/demo/tests/demo/a.rs:7: `a::broken_sleeps` has no \
                 named fix (put `// FIXES: a::broken_sleeps` above the \
                 passing test that fixes it)"
            ]
        );
    }

    /// A marker naming a test that doesn't exist, one that isn't broken, or
    /// sitting on an ignored test is an error, and fixes nothing.
    #[test]
    fn a_fixes_marker_on_the_wrong_test_or_naming_the_wrong_one_fails() {
        let tests = [
            item("a::broken_sleeps", BROKEN, &[], &[]),
            item("a::proves", None, &[], &["a::broken_sleeps"]),
            item("a::typo", None, &["FIXES: a::broken_sleep"], &[]),
            item("a::not_broken", None, &["FIXES: a::proves"], &[]),
            item(
                "a::ignored",
                Some("needs a GPU"),
                &["FIXES: a::broken_sleeps"],
                &[],
            ),
        ];
        let found = problems(&tests);
        let expected = [
            "`// FIXES: a::broken_sleep` names no test of demo",
            "`// FIXES: a::proves` names a test that is not broken on purpose",
            "`// FIXES: a::broken_sleeps` sits on `a::ignored`, an ignored test",
            "`a::broken_sleeps` has no named fix",
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for (problem, part) in found.iter().zip(expected) {
            assert!(problem.contains(part), "{problem:?} lacks {part:?}");
        }
    }
}
