//! sql-mutants run for real on the planted crate (`tests/planted/`): the
//! report, the exit status, and the file put back after a normal run, a
//! timeout and a Ctrl-C.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

/// A fresh copy of the planted crate, so a test mutates nothing of ours.
fn planted_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/planted");
    let to = dir.path().join("planted");
    fs::create_dir_all(to.join("src")).unwrap();
    for file in ["Cargo.toml", "src/lib.rs"] {
        fs::copy(from.join(file), to.join(file)).unwrap();
    }
    (dir, to)
}

fn sql_mutants(krate: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sql-mutants"));
    command
        .arg(krate)
        .args(args)
        // The copy's own target dir: never the workspace's, whose build of
        // another crate cargo would happily reuse or overwrite.
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .env("TMPDIR", krate.parent().unwrap());
    command
}

fn lib_rs(krate: &Path) -> String {
    fs::read_to_string(krate.join("src/lib.rs")).unwrap()
}

/// Checks the crate is as it was: the query back, and no copy left over.
fn assert_restored(krate: &Path, original: &str) {
    assert_eq!(lib_rs(krate), original, "src/lib.rs was not restored");
    let leftovers: Vec<_> = fs::read_dir(krate.join("src"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name != "lib.rs")
        .collect();
    assert!(leftovers.is_empty(), "left in src/: {leftovers:?}");
}

fn lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The unchecked condition's three mutants survive, the checked one's two
/// are caught; the run says so line by line and exits with 2.
#[test]
fn the_unchecked_half_of_the_planted_query_is_reported_missed() {
    let (_dir, krate) = planted_copy();
    let original = lib_rs(&krate);

    let output =
        sql_mutants(&krate, &["--test-cmd", "cargo test -q --offline"])
            .output()
            .unwrap();

    let report = lines(&output);
    let expected = [
        r#"MISSED   src/lib.rs:5  drop "status = 'pending' AND""#,
        r#"caught   src/lib.rs:5  drop "AND attempts < 5""#,
        r#"MISSED   src/lib.rs:5  "status = 'pending'": = to <>"#,
        r#"MISSED   src/lib.rs:5  "status = 'pending'": = to >="#,
        r#"caught   src/lib.rs:5  "attempts < 5": < to <="#,
    ];
    assert!(
        report.len() == 7,
        "a header, 5 mutants, totals: {report:#?}"
    );
    assert_eq!(report[1..6], expected, "stderr: {output:?}");
    assert!(
        report[6].ends_with(
            "2 caught, 3 missed, 0 timeout, 0 unviable, 0 equivalent"
        ),
        "{}",
        report[6]
    );
    assert_eq!(output.status.code(), Some(2), "missed mutants exit with 2");
    assert_restored(&krate, &original);
}

/// The test command for the next two tests: passes at once unmutated, and
/// while a mutant is applied (its original copy exists) announces itself
/// and hangs, as a test that waits forever would.
const HANGS_WHEN_MUTATED: &str = "if [ -e src/lib.rs.sql-mutants-orig ]; \
     then touch started; exec sleep 600; fi";

/// Tests that outlive the limit are stopped, with their whole process
/// group, and the mutant counts as a timeout.
#[test]
fn tests_that_hang_are_stopped_at_the_limit() {
    let (_dir, krate) = planted_copy();
    let original = lib_rs(&krate);
    let args = ["--build-cmd", "true", "--test-cmd", HANGS_WHEN_MUTATED];

    let started = Instant::now();
    let output = sql_mutants(&krate, &args)
        .args(["--timeout", "0.2"])
        .output()
        .unwrap();

    let report = lines(&output);
    assert!(
        report
            .last()
            .unwrap()
            .ends_with("0 missed, 5 timeout, 0 unviable, 0 equivalent"),
        "{report:#?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "five limits of 0.2 s took {:?}: the sleeps were not stopped",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(0));
    assert_restored(&krate, &original);
}

/// Ctrl-C while a mutant's tests run: the tests stop, the file is restored
/// before the tool exits, and it exits with a failure.
#[test]
fn ctrl_c_mid_run_restores_the_file() {
    let (_dir, krate) = planted_copy();
    let original = lib_rs(&krate);
    let args = ["--build-cmd", "true", "--test-cmd", HANGS_WHEN_MUTATED];
    let mut run = sql_mutants(&krate, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // The first mutant's tests have started once the file exists.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !krate.join("started").exists() {
        assert!(Instant::now() < deadline, "the first mutant never ran");
        assert!(run.try_wait().unwrap().is_none(), "the tool exited early");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_ne!(lib_rs(&krate), original, "the mutant is applied");
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(run.id() as libc::pid_t, libc::SIGINT) };

    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = run.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the tool ignored Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1), "interrupted is a failure");
    assert_restored(&krate, &original);
}

/// After `kill -9` nothing runs on the way out: the copy kept beside the
/// mutated file is how the next run repairs it, before anything else.
#[test]
fn the_next_run_repairs_a_file_a_killed_run_left_mutated() {
    let (_dir, krate) = planted_copy();
    let original = lib_rs(&krate);
    let src = krate.join("src");
    fs::write(src.join("lib.rs.sql-mutants-orig"), &original).unwrap();
    fs::write(src.join("lib.rs"), original.replace("<", "<=")).unwrap();

    let output = sql_mutants(&krate, &["--list"]).output().unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("restored"), "stderr: {stderr}");
    assert_restored(&krate, &original);
    assert_eq!(lines(&output).len(), 5, "the original's five mutants");
}

/// A mutant listed as equivalent, with its reason, is reported `equiv` and
/// not run; an entry that matches no mutant is an error, not ignored.
#[test]
fn listed_equivalents_are_reported_apart_and_stale_ones_refused() {
    let (_dir, krate) = planted_copy();
    let list = krate.join("sql-mutants-equivalent.txt");
    fs::write(
        &list,
        "# Every job is pending in this planted table.\n\
         src/lib.rs: drop \"status = 'pending' AND\"\n",
    )
    .unwrap();

    let output =
        sql_mutants(&krate, &["--test-cmd", "cargo test -q --offline"])
            .output()
            .unwrap();

    let report = lines(&output);
    assert_eq!(
        report[1], r#"equiv    src/lib.rs:5  drop "status = 'pending' AND""#,
        "{report:#?}"
    );
    assert!(
        report[6].ends_with("2 missed, 0 timeout, 0 unviable, 1 equivalent")
    );

    fs::write(&list, "src/lib.rs: drop \"LIMIT 1\"\n").unwrap();
    let stale = sql_mutants(&krate, &["--list"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.contains("no mutant src/lib.rs: drop \"LIMIT 1\""),
        "{stderr}"
    );
    assert_eq!(stale.status.code(), Some(1));
}

/// A command line it can't read ends with 1, an error, never with 2, which
/// would tell a CI job that mutants were missed.
#[test]
fn a_bad_command_line_is_an_error_not_a_missed_mutant() {
    let (_dir, krate) = planted_copy();
    let out = sql_mutants(&krate, &["--timeout", "soon"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--timeout"), "names the bad flag: {stderr}");
}
