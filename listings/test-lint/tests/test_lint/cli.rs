//! The `test-lint` binary as a reader runs it.

use std::process::Command;

/// Runs the built binary on the sleep fixture with `args`; its stdout and
/// exit code.
fn lint_sleep_fixture(args: &[&str]) -> (String, Option<i32>) {
    let fixture =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sleeps.rs");
    let out = Command::new(env!("CARGO_BIN_EXE_test-lint"))
        .args(args)
        .arg(fixture)
        .output()
        .expect("run test-lint");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

/// With `--ignore-markers`, the fixture's two marked sleeps are reported as
/// findings and the run fails, as it would on a reader's unmarked code.
#[test]
fn ignore_markers_reports_what_the_markers_allow() {
    let (marked, marked_code) = lint_sleep_fixture(&[]);
    let (ignored, ignored_code) = lint_sleep_fixture(&["--ignore-markers"]);

    assert!(
        marked.contains("0 findings, 2 allowed by a marker"),
        "expected both sleeps allowed by their markers, got:\n{marked}"
    );
    assert_eq!(marked_code, Some(0), "expected success with the markers");
    assert!(
        ignored.contains("2 findings (fixed-sleep 2), 0 allowed"),
        "expected both sleeps reported without the markers, got:\n{ignored}"
    );
    assert_eq!(ignored_code, Some(1), "expected exit 1 on findings");
}

/// A flag it does not know ends the run with 2, as an unreadable file
/// does: the run can't vouch for anything, and CI must not read it as clean.
#[test]
fn an_unknown_flag_exits_2_and_lints_nothing() {
    let (stdout, code) = lint_sleep_fixture(&["--ignore-marker"]);
    assert_eq!(code, Some(2), "expected exit 2, got {code:?}: {stdout}");
    assert!(stdout.is_empty(), "nothing linted, got:\n{stdout}");
}
