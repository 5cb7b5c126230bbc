use std::{
    process::Command,
    time::{Duration, Instant},
};

/// A test that waits forever is killed by the limit in .config/nextest.toml
/// (1 s for the planted one) and reported as a failure, well before
/// the self-test's own deadline.
#[test]
fn a_hang_is_ended_and_reported() {
    let installed = Command::new("cargo")
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "cargo-nextest is missing and CI=true: install it with \
             `cargo xtask tools`"
        );
        println!("skipped: cargo-nextest is not installed (cargo xtask tools)");
        return;
    }
    let started = Instant::now();
    let out = Command::new("cargo")
        .args([
            "nextest",
            "run",
            "-p",
            "xtask",
            "--test",
            "planted",
            "--run-ignored",
            "only",
            "--no-fail-fast",
            "-E",
            "test(waits_forever)",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("run cargo nextest");
    let elapsed = started.elapsed();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "a hang must fail the run:\n{text}");
    assert!(
        text.contains("TIMEOUT") && text.contains("waits_forever"),
        "expected nextest to report waits_forever as TIMEOUT:\n{text}"
    );
    // nextest's own account of the test: `TIMEOUT [   1.005s] … waits_forever`.
    let seconds: f64 = text
        .lines()
        .find(|l| l.contains("TIMEOUT") && l.contains("waits_forever"))
        .and_then(|l| l.split('[').nth(1))
        .and_then(|l| l.split("s]").next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no TIMEOUT line with a time:\n{text}"));
    assert!(
        seconds < 5.0,
        "the hang was ended after {seconds} s; the limit is 1 s"
    );
    assert!(
        elapsed < Duration::from_secs(300),
        "the whole run took {elapsed:?}"
    );
}
