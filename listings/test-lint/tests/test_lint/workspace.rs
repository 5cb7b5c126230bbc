//! The checker over this book's own workspace: what `cargo xtask lint` runs,
//! as a test, so that `cargo test` alone catches a new finding.

use std::path::{Path, PathBuf};

use test_lint::{Allows, MarkedItem, Options, Report, marked_items};

/// What `cargo xtask lint` tells the checker about this workspace: the
/// `eventually` crate's `poll(…).until(…)` panics when its deadline passes,
/// so a test that ends with it has asserted. (Keep in step with
/// ci/xtask/src/lint.rs.)
fn lint_workspace() -> Report {
    let root = workspace_root();
    let options = Options {
        assertion_fns: vec!["until".to_string()],
    };
    test_lint::lint_paths_with(
        &[root.join("listings"), root.join("tests")],
        &options,
    )
    .unwrap()
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every `.rs` file under `listings/` and `tests/`, with its marked items.
fn marked_items_in_workspace() -> Vec<(PathBuf, MarkedItem)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() && name != "target" && !name.starts_with('.') {
                walk(&path, out);
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }
    let root = workspace_root();
    let mut files = Vec::new();
    walk(&root.join("listings"), &mut files);
    walk(&root.join("tests"), &mut files);
    let mut marked = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let items = marked_items(&source).unwrap_or_else(|e| {
            panic!("{} does not parse: {e}", file.display())
        });
        marked.extend(items.into_iter().map(|item| (file.clone(), item)));
    }
    marked
}

/// The workspace has no finding that a marker comment doesn't allow.
#[test]
fn the_workspace_has_no_unexpected_findings() {
    let report = lint_workspace();
    assert!(
        report.unparsed.is_empty(),
        "files the checker could not parse: {:?}",
        report.unparsed
    );
    let unexpected: Vec<String> =
        report.unexpected().map(|f| f.to_string()).collect();
    assert!(
        unexpected.is_empty(),
        "expected no findings outside marked items, found {}:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}

/// Every `// BROKEN ON PURPOSE` marker is accounted for: the checker flags
/// something inside the item, or the item is an ignored test that fails
/// when run (and `cargo xtask broken` checks a proving test runs it). And every
/// `// test-lint: allow(…)` comment still allows something: none is stale.
#[test]
fn every_marker_is_flagged_by_the_checker_or_proven_by_a_run() {
    let report = lint_workspace();
    let allows_something = |file: &Path, item: &MarkedItem| {
        report.allowed().any(|f| {
            f.file.canonicalize().unwrap() == file
                && f.allowed_by.as_ref() == Some(item)
        })
    };
    let (mut flagged, mut run_only, mut unaccounted, mut stale) =
        (0, 0, Vec::new(), Vec::new());
    for (file, item) in marked_items_in_workspace() {
        let file = file.canonicalize().unwrap();
        let flagged_here = allows_something(&file, &item);
        match item.allows {
            Allows::Everything if flagged_here => flagged += 1,
            Allows::Everything if item.ignored_as_broken => run_only += 1,
            Allows::Everything => unaccounted.push(format!(
                "{}:{} `{}`",
                file.display(),
                item.marker_line,
                item.name
            )),
            Allows::Rules(_) if !flagged_here => stale.push(format!(
                "{}:{} `{}`",
                file.display(),
                item.marker_line,
                item.name
            )),
            Allows::Rules(_) => {}
        }
    }
    println!(
        "BROKEN ON PURPOSE markers: {} flagged by the checker, {run_only} fail only when run",
        flagged
    );
    assert!(
        unaccounted.is_empty(),
        "markers on items that neither break a rule nor are ignored as broken:\n{}",
        unaccounted.join("\n")
    );
    assert!(
        stale.is_empty(),
        "`test-lint: allow(…)` comments that allow nothing any more (remove them):\n{}",
        stale.join("\n")
    );
    assert!(
        flagged >= 10,
        "expected at least the checker's 10 fixtures flagged, got {flagged}"
    );
}
