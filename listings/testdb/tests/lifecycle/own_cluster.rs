//! On testdb's own cluster a clone's owner is a lock on a file, not an
//! advisory lock (see `testdb::local`): the same promises, proven again.

use std::process::Command;

use crate::helpers::{Holder, child, private_base, testdb_databases};

/// A holder on the throwaway cluster under `base`.
fn holder_in(base: &std::path::Path) -> Command {
    let mut command = child("children::child_holds_databases");
    command.env("TESTDB_RUNTIME_DIR", base);
    command
}

/// The cluster's maintenance database, from one of its databases' URLs.
fn admin_url(database_url: &str) -> String {
    let mut url = url::Url::parse(database_url).unwrap();
    url.set_path("postgres");
    url.to_string()
}

/// With a stock of clones ready, three processes claim three each at the
/// same moment, straight from the files: nine different databases, and
/// none of them is left afterwards.
#[tokio::test]
async fn racing_processes_never_share_a_clone_of_the_own_cluster() {
    let base = private_base();
    let keeps_the_cluster = Holder::start(holder_in(base.path()), 1);
    let url = admin_url(&keeps_the_cluster.databases[0].1);
    let holders =
        Holder::start_all((0..3).map(|_| holder_in(base.path())).collect(), 3);

    let mut names: Vec<_> = holders
        .iter()
        .flat_map(|h| h.databases.iter().map(|(name, _)| name.clone()))
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 9, "nine claims, nine databases: {names:?}");
    holders.into_iter().for_each(Holder::finish);

    let left = testdb_databases(&url).await;
    assert!(
        names.iter().all(|used| !left.contains(used)),
        "every used database was dropped; left: {left:?}"
    );
    keeps_the_cluster.finish();
}

/// A process killed with `kill -9` holds clones: its file locks go with it,
/// and the next process drops them, while a live process's stay untouched.
#[test]
fn the_clones_of_a_killed_process_are_dropped_by_the_next_one() {
    let base = private_base();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let survivor = Holder::start(holder_in(base.path()), 2);
    let url = admin_url(&survivor.databases[0].1);
    let mut killed = Holder::start(holder_in(base.path()), 2);
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();

    let next = Holder::start(holder_in(base.path()), 1);
    crate::helpers::wait_for(30, "the next process to drop them", || {
        let left = runtime.block_on(testdb_databases(&url));
        match killed.databases.iter().find(|(n, _)| left.contains(n)) {
            None => Ok(()),
            Some((name, _)) => Err(format!("{name} is still there")),
        }
    });
    let left = runtime.block_on(testdb_databases(&url));
    assert!(
        survivor
            .databases
            .iter()
            .all(|(name, _)| left.contains(name)),
        "a live process's clones stay: {left:?}"
    );
    next.finish();
    survivor.finish(); // checks its databases were never touched
}
