//! `test-lint`: the book's before-merging checklist, as far as a program can
//! read it from source.
//!
//! It parses each `.rs` file with `syn` and walks the syntax tree; nothing is
//! compiled or run. Five rules, each tied to a checklist item and to the
//! chapter that shows the fix ([`Rule`]). A finding inside an item preceded by
//! a `// BROKEN ON PURPOSE` comment is *allowed*: it is a listing that breaks
//! the rule on purpose, and the book proves it fails. The marker covers that
//! item only (a function, a const, a module), never a path or a whole file.
//!
//! Where rules apply:
//! - the sleep, randomness and URL rules apply to *test code*: files with a
//!   `tests` directory in their path, `#[cfg(test)]` modules, and test
//!   functions anywhere;
//! - the assertion and ignore rules apply to test functions (an attribute
//!   whose last segment is `test`: `#[test]`, `#[tokio::test]`, `#[sqlx::test]`).

mod item;
mod marker;
mod url;
mod visitor;

use std::{
    fmt,
    path::{Path, PathBuf},
};

pub use item::{ignore_reason, is_test_attr, item_comments};
pub use marker::{Allows, MarkedItem, marked_items};
pub use url::url_host_off_this_machine;

/// What a finding breaks. `id()` is what the report prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// `std::thread::sleep`, or `tokio::time::sleep` outside paused time.
    FixedSleep,
    /// `rand::random`, `thread_rng()`, `rand::rng()`, `OsRng`,
    /// `from_entropy()`/`from_os_rng()`, or `fake`'s `.fake()` (which draws
    /// from the thread RNG).
    UnseededRandomness,
    /// An `http://` or `https://` URL in a string literal whose host is not
    /// this machine.
    NonLoopbackUrl,
    /// A test function with no assertion in its body.
    NoAssertion,
    /// `#[ignore]` (or `#[ignore = ""]`) with no reason.
    IgnoreWithoutReason,
}

impl Rule {
    pub const ALL: [Rule; 5] = [
        Rule::FixedSleep,
        Rule::UnseededRandomness,
        Rule::NonLoopbackUrl,
        Rule::NoAssertion,
        Rule::IgnoreWithoutReason,
    ];

    /// Short name printed in every finding.
    pub fn id(self) -> &'static str {
        match self {
            Rule::FixedSleep => "fixed-sleep",
            Rule::UnseededRandomness => "unseeded-randomness",
            Rule::NonLoopbackUrl => "non-loopback-url",
            Rule::NoAssertion => "no-assertion",
            Rule::IgnoreWithoutReason => "ignore-without-reason",
        }
    }

    /// The before-merging checklist item the finding breaks.
    pub fn checklist_item(self) -> &'static str {
        match self {
            Rule::FixedSleep => "no sleeps or time races",
            Rule::UnseededRandomness => "deterministic data",
            Rule::NonLoopbackUrl => {
                "external dependencies stubbed or in containers"
            }
            Rule::NoAssertion => {
                "behaviour, not implementation (a test must check some behaviour)"
            }
            Rule::IgnoreWithoutReason => {
                "every skipped test says why (and something runs it)"
            }
        }
    }

    /// The chapter (and section) of the book that explains the fix.
    pub fn chapter(self) -> &'static str {
        match self {
            Rule::FixedSleep => {
                "src/flaky.md#polling-with-a-deadline (Flaky tests and how to kill them)"
            }
            Rule::UnseededRandomness => {
                "src/test-data.md#fake-values-from-a-seed (Test data you can trust)"
            }
            Rule::NonLoopbackUrl => {
                "src/doubles.md#a-guard-against-the-real-network (Standing in for services you don't own)"
            }
            Rule::NoAssertion => {
                "src/checklist.md#behaviour-not-implementation (The checklist, proven)"
            }
            Rule::IgnoreWithoutReason => {
                "src/checklist.md#every-skipped-test-says-why (The checklist, proven)"
            }
        }
    }
}

/// One place in one file that breaks a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub file: PathBuf,
    /// 1-based line of the offending expression or attribute.
    pub line: usize,
    pub rule: Rule,
    /// What was seen, e.g. "`std::thread::sleep` in test code".
    pub what: String,
    /// The marked item that allows the finding, if one does: a
    /// `// BROKEN ON PURPOSE` listing or a `// test-lint: allow(…)` item.
    pub allowed_by: Option<MarkedItem>,
}

impl Finding {
    pub fn is_allowed(&self) -> bool {
        self.allowed_by.is_some()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: [{}] {}\n    breaks: {}\n    fix:    {}",
            self.file.display(),
            self.line,
            self.rule.id(),
            self.what,
            self.rule.checklist_item(),
            self.rule.chapter()
        )
    }
}

/// True when `path` is test code as a whole: some directory on it is `tests`.
pub fn is_test_file(path: &Path) -> bool {
    path.parent()
        .is_some_and(|dir| dir.components().any(|c| c.as_os_str() == "tests"))
}

/// What a run can be told about the code it reads.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Names of functions or methods that fail the test when their check
    /// fails, beyond the ones the rule knows (`--assertion NAME`): a polling
    /// helper's `until`, a project's `assert_json_eq` under another name.
    pub assertion_fns: Vec<String>,
}

/// Lints one file's source. `path` decides whether the whole file is test
/// code and is copied into each finding.
pub fn lint_source(
    path: &Path,
    source: &str,
) -> Result<Vec<Finding>, syn::Error> {
    lint_source_with(path, source, &Options::default())
}

/// [`lint_source`] with [`Options`].
pub fn lint_source_with(
    path: &Path,
    source: &str,
    options: &Options,
) -> Result<Vec<Finding>, syn::Error> {
    let file = syn::parse_file(source)?;
    let mut findings =
        visitor::check(&file, is_test_file(path), &options.assertion_fns);
    let marked = marker::marked_items_in(&file, source);
    for finding in &mut findings {
        finding.file = path.to_path_buf();
        // The innermost marked item that holds the line and allows the rule.
        finding.allowed_by = marked
            .iter()
            .filter(|item| {
                item.first_line <= finding.line
                    && finding.line <= item.last_line
            })
            .filter(|item| match &item.allows {
                Allows::Everything => true,
                Allows::Rules(rules) => {
                    rules.iter().any(|r| r == finding.rule.id())
                }
            })
            .max_by_key(|item| item.first_line)
            .cloned();
    }
    findings.sort_by_key(|f| (f.line, f.rule));
    Ok(findings)
}

/// Everything a run over files and directories found.
#[derive(Debug, Default)]
pub struct Report {
    pub files_scanned: usize,
    pub findings: Vec<Finding>,
    /// Files `syn` could not parse, with the parser's message.
    pub unparsed: Vec<(PathBuf, String)>,
}

impl Report {
    pub fn unexpected(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_allowed())
    }

    pub fn allowed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_allowed())
    }
}

/// Lints every `.rs` file under each of `roots` (a root may be a file).
/// Skips `target/`, hidden directories and `node_modules/`.
pub fn lint_paths(roots: &[PathBuf]) -> std::io::Result<Report> {
    lint_paths_with(roots, &Options::default())
}

/// [`lint_paths`] with [`Options`].
pub fn lint_paths_with(
    roots: &[PathBuf],
    options: &Options,
) -> std::io::Result<Report> {
    let mut files = Vec::new();
    for root in roots {
        collect_rust_files(root, &mut files)?;
    }
    files.sort();
    let mut report = Report::default();
    for file in files {
        let source = std::fs::read_to_string(&file)?;
        report.files_scanned += 1;
        match lint_source_with(&file, &source, options) {
            Ok(found) => report.findings.extend(found),
            Err(error) => {
                let at = error.span().start();
                report
                    .unparsed
                    .push((file, format!("line {}: {error}", at.line)));
            }
        }
    }
    Ok(report)
}

fn collect_rust_files(
    path: &Path,
    out: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    if path.is_file() {
        if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path.to_path_buf());
        }
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let skip =
            name.starts_with('.') || name == "target" || name == "node_modules";
        if !skip {
            collect_rust_files(&entry.path(), out)?;
        }
    }
    Ok(())
}
