//! One throwaway cluster per machine user, shared by every test process,
//! gone once the last of them has gone — `kill -9` included.

use crate::helpers::{
    Holder, child, private_base, socket_dir, wait_until_removed,
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
    let dirs: Vec<_> = holders
        .iter()
        .map(|h| socket_dir(&h.databases[0].1))
        .collect();
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
