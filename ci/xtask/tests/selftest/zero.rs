//! Checks that find nothing fail: pointed at an empty book (XTASK_ROOT),
//! each says how much it expected instead of passing.

use crate::xtask;

fn empty_book() -> std::path::PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("xtask-empty-{}", std::process::id()));
    for sub in ["src", "listings/test-lint/tests/fixtures", "tests", "ci"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    dir
}

/// Each check, run over an empty book, fails and names its minimum.
#[test]
fn every_check_fails_on_an_empty_book() {
    let dir = empty_book();
    let root = dir.to_str().unwrap();
    let mut passed_on_nothing = Vec::new();
    for check in [
        &["outputs", "--check"][..],
        &["broken"],
        &["lint"],
        &["book", "--no-build"],
    ] {
        let (ok, out) = xtask(check, &[("XTASK_ROOT", root)]);
        if ok || !out.contains("expected at least") {
            passed_on_nothing.push(format!("{check:?}: {out}"));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        passed_on_nothing.is_empty(),
        "these checks did not fail on an empty book:\n{}",
        passed_on_nothing.join("\n")
    );
}
