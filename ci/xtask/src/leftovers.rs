//! `cargo xtask leftovers`: fails if a test run left behind anything the
//! suite creates, looked for by the names and labels the suite uses, in
//! every place the harness puts them:
//!
//! - cluster directories `testdb-*` in `/dev/shm` and the temp directory
//!   (listings/testdb: `testdb-<uid>`, shared by every test process);
//! - `postgres` servers whose data directory is such a cluster (a system
//!   server, or anyone else's, is not counted);
//! - with `DATABASE_URL`: databases named `testdb_%` (but the template and
//!   stock testdb keeps for the next run) or `_sqlx_test_%`;
//! - containers labelled `book.containers` (every container the tests and
//!   ci/compose.yaml start carries it).
//!
//! `cargo xtask ci` takes a snapshot before the tests and judges only what
//! appeared since; the shared cluster outlives its last user by a few
//! seconds (testdb's LINGER_SECONDS), so the check waits, bounded.

use std::{
    collections::BTreeSet,
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::{Result, bail};

use crate::util;

/// Longer than testdb's linger (3 s) plus a keeper's clean-up.
const SETTLE: Duration = Duration::from_secs(20);

/// Everything of the suite's that exists now, one line per thing.
pub fn snapshot() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut places: Vec<PathBuf> =
        vec!["/dev/shm".into(), std::env::temp_dir(), "/tmp".into()];
    places.dedup();
    for place in &places {
        let Ok(entries) = std::fs::read_dir(place) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("testdb-") && e.path().is_dir() {
                found.insert(format!(
                    "cluster directory {}",
                    e.path().display()
                ));
            }
        }
    }
    // Servers: a postgres whose `-D` points into a testdb directory.
    if let Ok(procs) = std::fs::read_dir("/proc") {
        for p in procs.flatten() {
            let Ok(cmdline) = std::fs::read(p.path().join("cmdline")) else {
                continue;
            };
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let is_postgres = args
                .first()
                .is_some_and(|a| a.ends_with("/postgres") || a == "postgres");
            let data =
                args.windows(2).find(|w| w[0] == "-D").map(|w| w[1].clone());
            if is_postgres
                && let Some(d) = data
                && d.contains("/testdb-")
            {
                found.insert(format!("postgres server on {d}"));
            }
        }
    }
    if let Ok(url) = std::env::var("DATABASE_URL") {
        // testdb leaves its template and stock for the next run, by design.
        let q = "SELECT datname FROM pg_database WHERE (datname LIKE \
                 'testdb\\_%' AND datname NOT LIKE '%\\_tpl' AND datname \
                 NOT LIKE '%\\_stock\\_%') OR datname LIKE '\\_sqlx\\_test\\_%'";
        if let Ok((true, out)) =
            util::capture(util::cmd(&["psql", &url, "-Atc", q]))
        {
            for db in out.lines().filter(|l| !l.is_empty()) {
                found.insert(format!("database {db} on DATABASE_URL"));
            }
        }
    }
    if util::docker_ok()
        && let Ok((true, out)) = util::capture(util::cmd(&[
            "docker",
            "ps",
            "-a",
            "--filter",
            "label=book.containers",
            "--format",
            "{{.ID}} {{.Image}} {{.Status}}",
        ]))
    {
        for c in out.lines().filter(|l| !l.is_empty()) {
            found.insert(format!("container {c}"));
        }
    }
    found
}

/// Waits (bounded) until nothing beyond `before` is left; fails naming
/// what is still there.
pub fn check(before: &BTreeSet<String>) -> Result<()> {
    let started = Instant::now();
    loop {
        let left: Vec<String> =
            snapshot().difference(before).cloned().collect();
        if left.is_empty() {
            println!(
                "leftovers: none (cluster directories, testdb servers, \
                 test databases, labelled containers; {} found before the \
                 run and not counted)",
                before.len()
            );
            return Ok(());
        }
        if started.elapsed() > SETTLE {
            bail!(
                "the run left behind, {} s after it ended:\n  {}",
                SETTLE.as_secs(),
                left.join("\n  ")
            );
        }
        // Waiting on other processes' exit (the keeper, a reaper), not on
        // code under test; the deadline above bounds it.
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// No cluster, server, database or container left, whoever left it.
pub fn check_none() -> Result<()> {
    check(&BTreeSet::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory named as the harness names its clusters is counted; a
    /// neighbour with another name is not, whoever made it.
    #[test]
    fn only_what_the_suite_names_is_counted() {
        let pid = std::process::id();
        let ours = std::env::temp_dir().join(format!("testdb-selftest-{pid}"));
        let other = std::env::temp_dir().join(format!("pg-data-{pid}"));
        std::fs::create_dir_all(&ours).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        let found = snapshot();
        std::fs::remove_dir_all(&ours).unwrap();
        std::fs::remove_dir_all(&other).unwrap();
        let line =
            |p: &std::path::Path| format!("cluster directory {}", p.display());
        assert!(found.contains(&line(&ours)), "{found:?}");
        assert!(!found.iter().any(|f| f.contains(&format!("pg-data-{pid}"))));
    }
}
