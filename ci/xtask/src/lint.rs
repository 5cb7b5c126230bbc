//! `cargo xtask lint`: the checklist's checker (listings/test-lint) over the
//! workspace's own tests. Fails on any finding no marker allows; lists the
//! allowed ones (the broken-on-purpose listings). On your own repository:
//! `cargo run -p test-lint -- <dir>`.

use anyhow::{Result, bail};

use crate::util;

/// At least this many test files are read; fewer means a wrong path.
const MIN_FILES: usize = 30;

pub fn check() -> Result<()> {
    let root = util::root();
    let options = test_lint::Options {
        // eventually::poll(…).until(…) panics at its deadline, so a test
        // that ends with it has asserted.
        assertion_fns: vec!["until".into()],
    };
    let report = test_lint::lint_paths_with(
        &[root.join("listings"), root.join("tests"), root.join("ci")],
        &options,
    )?;
    for f in report.allowed() {
        println!("  allowed: {f}");
    }
    let unexpected: Vec<_> = report.unexpected().collect();
    for f in &unexpected {
        println!("{f}");
    }
    println!(
        "test-lint: {} files, {} findings allowed by a marker, {} not",
        report.files_scanned,
        report.allowed().count(),
        unexpected.len()
    );
    if report.files_scanned < MIN_FILES {
        bail!(
            "read {} test files, expected at least {MIN_FILES}",
            report.files_scanned
        );
    }
    for (file, error) in &report.unparsed {
        println!("could not parse {}: {error}", file.display());
    }
    if !report.unparsed.is_empty() {
        bail!("{} files could not be parsed", report.unparsed.len());
    }
    if !unexpected.is_empty() {
        bail!("{} findings no marker allows", unexpected.len());
    }
    Ok(())
}
