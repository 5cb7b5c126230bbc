//! No container is left behind: not by a test that panics, not by a
//! container shared through a `static`, whose `Drop` never runs.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use containers::{LABEL, engine::docker_or_skip};

use crate::helpers::{
    containers_labelled, field, postgres_for_this_test, shared_postgres,
};

// ANCHOR: panics
// BROKEN ON PURPOSE: fails while it holds a container; the proof below
// checks the container is removed all the same.
/// A test fails while its container runs.
#[tokio::test]
#[ignore = "broken on purpose: panics while it holds a container"]
async fn panics_while_it_holds_a_container() {
    let Some(postgres) = postgres_for_this_test().await else {
        return;
    };
    println!(
        "container id={} pid={}",
        postgres.container.id(),
        std::process::id()
    );
    panic!("an assertion failed while the container ran");
}

/// After the panicking test's process is gone, `docker ps -a` shows no
/// container with its label.
#[tokio::test]
async fn a_test_that_panics_leaves_no_container_behind() {
    if !docker_or_skip().await {
        return;
    }
    let failure = expect_failure::assert_fails_because(
        "cleanup::panics_while_it_holds_a_container",
        &["an assertion failed while the container ran"],
    );
    let pid = field(&failure.output, "pid")
        .expect("the broken test printed pid=<its process id>");

    // Checked right away: the container is removed while the panic unwinds,
    // before the test process exits.
    let left = containers_labelled(pid);
    assert!(
        left.is_empty(),
        "expected no container labelled {LABEL}={pid} after the test \
         panicked, found {left:?}"
    );
}
// ANCHOR_END: panics

// FIXES: cleanup::panics_while_it_holds_a_container
/// The same container in a test that passes: `Drop` removes it at the end of
/// the test, as it does while a panic unwinds.
#[tokio::test]
async fn a_test_that_passes_leaves_no_container_behind() {
    let Some(postgres) = postgres_for_this_test().await else {
        return;
    };
    let id = postgres.container.id().to_owned();

    drop(postgres); // where the test's body ends

    let out = Command::new("docker")
        .args(["ps", "-a", "-q", "--filter", &format!("id={id}")])
        .output()
        .expect("the docker CLI runs");
    assert!(out.status.success(), "docker ps failed: {out:?}");
    let left = String::from_utf8_lossy(&out.stdout);
    assert!(
        left.trim().is_empty(),
        "expected container {id} removed once the test dropped it, found \
         {left:?}"
    );
}

// ANCHOR: static -- a static's container is removed once its process exits
/// The shared container carries the label of the process that started it.
#[tokio::test]
async fn the_shared_container_is_labelled_with_its_process() {
    let Some(server) = shared_postgres().await else {
        return;
    };
    let pid = std::process::id().to_string();

    let listed = containers_labelled(&pid);

    assert!(
        listed
            .iter()
            .any(|short_id| server.id.starts_with(short_id.as_str())),
        "expected container {} among those labelled {LABEL}={pid}, \
         found {listed:?}",
        server.id
    );
    // For the test below, which runs this one in a child process.
    println!("shared container id={} pid={pid}", server.id);
}

/// A container held in a `static` is removed once its test process has exited.
#[tokio::test]
async fn a_shared_container_is_removed_after_its_test_process_exits() {
    if !docker_or_skip().await {
        return;
    }
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let out = Command::new(exe)
        .args([
            "--exact",
            "cleanup::the_shared_container_is_labelled_with_its_process",
            "--nocapture",
        ])
        .output()
        .expect("run the test binary again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "expected the child run to pass, got:\n{stdout}"
    );
    let pid =
        field(&stdout, "pid").expect("the child printed pid=<its process id>");

    // The reaper removes it right after the child exits, in another process:
    // wait for that, with a deadline, instead of guessing a delay.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut left = containers_labelled(pid);
    while !left.is_empty() && Instant::now() < deadline {
        // Polling another process, not the code under test.
        std::thread::sleep(Duration::from_millis(100));
        left = containers_labelled(pid);
    }
    assert!(
        left.is_empty(),
        "expected the shared container of process {pid} to be removed \
         after it exited, still there: {left:?}"
    );
}
// ANCHOR_END: static
