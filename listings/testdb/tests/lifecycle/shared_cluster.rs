//! One throwaway cluster per machine user, shared by every test process,
//! gone once the last of them has gone — `kill -9` included.

use std::time::{Duration, Instant};

use crate::helpers::{
    Holder, child, harness_error, private_base, socket_dir, wait_for,
    wait_until_removed,
};

/// Three test processes, one cluster: killing one leaves it up for the
/// others; killing the last one with `kill -9` still has it removed.
#[test]
fn test_processes_share_one_cluster_that_goes_with_the_last_of_them() {
    let base = private_base();
    let user = || {
        let mut command = child("children::child_holds_databases");
        command.env("TESTDB_RUNTIME_DIR", base.path());
        command
    };
    let mut holders = Holder::start_all(vec![user(), user()], 1);
    let dirs: Vec<_> =
        holders.iter().map(|h| socket_dir(&h.databases[0].1)).collect();
    assert_eq!(dirs[0], dirs[1], "both processes use one cluster");
    let dir = dirs[0].clone();

    holders[0].child.kill().unwrap(); // SIGKILL: no destructor runs
    holders[0].child.wait().unwrap();
    let late = Holder::start(user(), 1);
    assert_eq!(
        socket_dir(&late.databases[0].1),
        dir,
        "a process that comes later joins the same, still running cluster"
    );
    late.finish(); // its database was its own all along

    let mut last = holders.pop().unwrap();
    last.child.kill().unwrap();
    last.child.wait().unwrap();
    wait_until_removed(&dir);
}

/// A process stopped (Ctrl-Z) while it holds the cluster's start lock can't
/// stall the others past their bound: they fail in time, with one line
/// that says what to do.
#[test]
fn a_stalled_peer_holding_the_start_lock_stalls_nobody_past_the_bound() {
    let base = private_base();
    let mut first = child("children::child_holds_databases");
    first.env("TESTDB_RUNTIME_DIR", base.path());
    let holder = Holder::start(first, 1);
    let dir = socket_dir(&holder.databases[0].1);
    // This test stands for the stalled peer: it takes the lock and stops.
    let stalled = std::fs::File::open(dir.join("start.lock")).unwrap();
    stalled.lock().unwrap();

    let mut late = child("children::child_asks_for_a_database");
    late.env("TESTDB_RUNTIME_DIR", base.path())
        .env("TESTDB_WAIT_SECS", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut late = late.spawn().unwrap();
    let started = Instant::now();
    wait_for(20, "the late process to give up", || match late.try_wait() {
        Ok(Some(_)) => Ok(()),
        _ => Err(format!("still waiting after {:?}", started.elapsed())),
    });
    let output = late.wait_with_output().unwrap();
    let error = harness_error(&output);
    assert!(
        error.contains("start.lock") && error.contains("Ctrl-Z"),
        "names the lock and the likely cause: {error}"
    );
    assert!(started.elapsed() < Duration::from_secs(10), "gave up in time");
    drop(stalled);
    holder.finish();
    wait_until_removed(&dir);
}

/// On the throwaway cluster, a failed test's database keeps the cluster up
/// for the reader after everyone has gone; once it is dropped, the next
/// run's last process takes the cluster down.
#[test]
fn a_kept_database_keeps_the_throwaway_cluster_up() {
    let base = private_base();
    let output = child("children::child_fails_holding_a_database")
        .env("TESTDB_RUNTIME_DIR", base.path())
        .output()
        .unwrap();
    let line = harness_error(&output);
    let kept = line.split_whitespace().nth(3).unwrap().to_string();
    let dir = socket_dir(line.split('\'').nth(1).unwrap());
    assert!(dir.join("kept").join(&kept).exists(), "{line}");
    // The keeper has looked and left the server running.
    wait_for(20, "the keeper to leave", || {
        let keeper = std::fs::File::open(dir.join("keeper.lock")).unwrap();
        keeper.try_lock().map_err(|e| e.to_string())
    });
    assert!(dir.join("data/postmaster.pid").exists(), "still up");

    std::fs::remove_file(dir.join("kept").join(&kept)).unwrap();
    let mut next = child("children::child_asks_for_a_database");
    next.env("TESTDB_RUNTIME_DIR", base.path());
    assert!(next.output().unwrap().status.success());
    wait_until_removed(&dir);
}
