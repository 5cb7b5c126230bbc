//! The harness's promises about its own life: errors a reader can hit are
//! one line that says what is wrong and how to fix it, and a test process
//! killed half-way leaves no server and no directory behind.
//!
//! Each scenario runs in a child process (this same test binary, running one
//! of the ignored `child_*` tests), because each needs a process of its own:
//! its own environment, or a death of its own.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

static MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("tests/lifecycle/migrations");

fn run_child(test: &str, database_url: &str) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", test, "--nocapture"])
        .env("DATABASE_URL", database_url)
        .output()
        .expect("re-run this test binary")
}

/// The line of a panic's message that starts with `testdb:`.
fn harness_error(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find(|line| line.starts_with("testdb:"))
        .unwrap_or_else(|| {
            panic!("no `testdb:` error line in the child's output:\n{text}")
        })
        .to_string()
}

#[tokio::test]
#[ignore = "run only as a child process by the tests below"]
async fn child_asks_for_a_database() {
    testdb::fresh_database(&MIGRATOR).await;
}

/// A `DATABASE_URL` that is not a URL: one line naming the variable, the
/// expected form, and the alternative.
#[test]
fn a_malformed_database_url_is_one_line_that_says_what_and_how_to_fix_it() {
    let output = run_child("child_asks_for_a_database", "localhost:5432");

    assert!(!output.status.success());
    let error = harness_error(&output);
    assert!(
        error.contains("DATABASE_URL is not a valid PostgreSQL URL"),
        "says what is wrong: {error}"
    );
    assert!(
        error.contains("postgres://user:password@host:port/database")
            && error.contains("unset it"),
        "says how to fix it: {error}"
    );
}

/// A `DATABASE_URL` nobody answers at: one line naming the server (without
/// its password) and the cause.
#[test]
fn an_unreachable_database_url_is_one_line_that_names_the_server() {
    // Port 1 on loopback: nothing listens there, so the refusal is immediate.
    let output = run_child(
        "child_asks_for_a_database",
        "postgres://tester:secret@127.0.0.1:1/postgres",
    );

    assert!(!output.status.success());
    let error = harness_error(&output);
    assert!(
        error.contains("could not connect to DATABASE_URL")
            && error.contains("127.0.0.1:1"),
        "names the server: {error}"
    );
    assert!(
        !error.contains("secret"),
        "never prints the password: {error}"
    );
}

#[test]
#[ignore = "run only as a child process by a_killed_test_process_leaves_no_cluster_behind"]
fn child_holds_a_cluster_until_killed() {
    let cluster =
        testdb::cluster::Cluster::start().expect("a throwaway cluster");
    println!("{}", cluster.data_dir.display());
    // Block until the parent kills us; no timer involved.
    let _ = std::io::stdin().read_line(&mut String::new());
}

/// `kill -9` gives no destructor a chance to run. The watchdog, waiting on a
/// pipe only this process held, notices the death and cleans up.
#[test]
fn a_killed_test_process_leaves_no_cluster_behind() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "child_holds_a_cluster_until_killed",
            "--nocapture",
            "--quiet",
        ])
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let data_dir = loop {
        let line = lines
            .next()
            .expect("the child prints its cluster directory")
            .unwrap();
        if line.starts_with('/') {
            break PathBuf::from(line);
        }
    };
    assert!(
        data_dir.join("postmaster.pid").exists(),
        "the cluster runs before the kill"
    );

    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // The clean-up happens in other processes; poll for it with a deadline.
    let deadline = Instant::now() + Duration::from_secs(20);
    while data_dir.exists() {
        assert!(
            Instant::now() < deadline,
            "{} still exists 20 s after its test process was killed",
            data_dir.display()
        );
        std::thread::sleep(Duration::from_millis(50)); // polling interval, not a guess at how long clean-up takes
    }
    let still_running = Command::new("pgrep")
        .args(["-f", &data_dir.to_string_lossy()])
        .output()
        .unwrap();
    assert!(
        still_running.stdout.is_empty(),
        "a postgres process for {} survived",
        data_dir.display()
    );
}
