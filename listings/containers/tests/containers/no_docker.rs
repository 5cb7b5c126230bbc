//! What the container tests do when no Docker engine is reachable: skip with
//! one line outside CI, fail in CI. Checked by running them again in a child
//! process pointed at a socket that does not exist.

use std::process::{Command, Output};

// ANCHOR: no_docker
/// Runs this crate's per-test container tests with DOCKER_HOST pointing
/// nowhere.
fn run_container_tests_without_docker(ci: Option<&str>) -> (Output, String) {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let mut child = Command::new(exe);
    child
        .arg("per_test::")
        .env("DOCKER_HOST", "unix:///nonexistent.sock");
    match ci {
        Some(value) => child.env("CI", value),
        None => child.env_remove("CI"),
    };
    let out = child.output().expect("run the test binary again");
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, output)
}

/// On a laptop without Docker: the container tests pass, and one line says
/// they were skipped and how to fix it.
#[test]
fn without_docker_outside_ci_the_tests_pass_with_one_skipped_line() {
    let (out, output) = run_container_tests_without_docker(None);

    assert!(
        out.status.success(),
        "expected the tests to pass (skipped), got:\n{output}"
    );
    let skipped: Vec<&str> = output
        .lines()
        .filter(|line| line.starts_with("skipped: no Docker engine reachable"))
        .collect();
    assert_eq!(
        skipped.len(),
        1,
        "expected exactly one `skipped:` line, found {}:\n{output}",
        skipped.len()
    );
    assert!(
        skipped[0].contains("start Docker"),
        "expected the line to say how to fix it, got: {}",
        skipped[0]
    );
}

/// In CI without Docker: the same tests fail, and say why.
#[test]
fn without_docker_in_ci_the_tests_fail() {
    let (out, output) = run_container_tests_without_docker(Some("true"));

    assert!(
        !out.status.success(),
        "expected the tests to fail in CI without Docker, got:\n{output}"
    );
    assert!(
        output.contains("no Docker engine reachable")
            && output.contains("CI is set"),
        "expected the failure to name the missing engine and CI, got:\n{output}"
    );
}
// ANCHOR_END: no_docker
