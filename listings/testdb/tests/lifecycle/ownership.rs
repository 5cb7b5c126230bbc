//! The owner rule, tried the way a team shares one server: several runs at
//! once, from different `DATABASE_URL`s and migrations, some failing,
//! killed or stopped. A database goes only when its owner is provably gone
//! (server-wide), nobody is connected, and (for what is left for later)
//! it is stale.

use std::{process::Command, time::Duration};

use sqlx::{Connection, Executor, PgConnection};

use crate::helpers::{
    Holder, PrivateServer, child, harness_error, holder_on, orphan_name,
    testdb_databases, url_of,
};

/// Runs one more test process on `url` with `env` (the "notes" migrations
/// unless `env` sets `CHILD_MIGRATIONS`), and returns once its sweep has
/// run (it dropped an orphan, planted first) and it has ended.
async fn run_until_it_swept(url: &str, env: &[(&str, &str)]) {
    let orphan = orphan_name();
    let mut admin = PgConnection::connect(url).await.unwrap();
    admin.execute(&*format!("CREATE DATABASE {orphan}")).await.unwrap();
    let url = url.to_string();
    let env: Vec<(String, String)> =
        env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let swept = || !block_on_names(&url).contains(&orphan);
        // A process sweeps once, in the background; on a loaded CI machine
        // one has been seen not to reach the orphan in a minute, so up to
        // three processes in turn, 20 s each.
        for attempt in 1..=3 {
            let mut command = holder_on(&url, "notes");
            command.envs(env.iter().map(|(k, v)| (k, v)));
            let run = Holder::start(command, 1);
            let deadline = std::time::Instant::now() + Duration::from_secs(20);
            while !swept() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50)); // polling
            }
            run.finish();
            if swept() {
                return;
            }
            eprintln!("run {attempt}: the orphan is still there");
        }
        panic!("three runs in turn did not sweep the orphan {orphan}");
    })
    .await
    .unwrap();
}

pub fn block_on_names(url: &str) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(testdb_databases(url))
}

/// Three processes claim three databases each at the same moment: nine
/// different databases, each untouched by the others (each checks its
/// own note at the end). Afterwards none of them is left. They run as
/// under `cargo test`, three workers each claiming ahead: the most racers.
#[tokio::test]
async fn racing_processes_never_share_a_database() {
    let server = PrivateServer::start();
    let url = &*server.url;
    let racer = || {
        let mut command = holder_on(url, "notes");
        command.env_remove("NEXTEST_EXECUTION_MODE");
        command
    };
    let racers = (0..3).map(|_| racer()).collect();
    let holders = Holder::start_all(racers, 3);
    let mut names: Vec<_> = holders
        .iter()
        .flat_map(|h| h.databases.iter().map(|d| d.0.clone()))
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 9, "nine claims, nine databases: {names:?}");
    holders.into_iter().for_each(Holder::finish);
    let left = testdb_databases(url).await;
    let used: Vec<_> = names.iter().filter(|n| left.contains(n)).collect();
    assert!(used.is_empty(), "nothing used is left: {used:?}");
}

/// Two developers whose `DATABASE_URL`s name different databases of one
/// server: the second run's sweep (everything stale for it) leaves the
/// first run's databases alone, because it reads the locks of the whole
/// server, not of its own database.
#[tokio::test]
async fn runs_naming_different_databases_keep_each_others_databases() {
    let server = PrivateServer::start();
    let url = &*server.url;
    let mut admin = PgConnection::connect(url).await.unwrap();
    admin.execute("CREATE DATABASE team_b").await.unwrap();
    let first = Holder::start(holder_on(url, "notes"), 2);

    run_until_it_swept(&url_of(url, "team_b"), &[]).await;

    let left = testdb_databases(url).await;
    for (name, _) in &first.databases {
        assert!(left.contains(name), "{name} stays while its owner lives");
    }
    first.finish(); // each of its databases still holds its own note
}

/// Another team's run, with other migrations and everything stale for it,
/// leaves a live run's template alone (and its stock: the same rule): the
/// live run holds a share of its migrations' lock.
#[tokio::test]
async fn a_run_with_other_migrations_leaves_a_live_runs_template() {
    let server = PrivateServer::start();
    let url = &server.url;
    let live = Holder::start(holder_on(url, "notes"), 1);
    let before = testdb_databases(url).await;
    let ours = before.iter().find(|n| n.ends_with("_tpl")).unwrap().clone();

    let other_team =
        [("CHILD_MIGRATIONS", "other"), ("TESTDB_STALE_SECS", "0")];
    run_until_it_swept(url, &other_team).await;

    let after = testdb_databases(url).await;
    assert!(after.contains(&ours), "the live run's template stays: {after:?}");
    live.finish();
}

/// A failed test's database is kept: a day for anyone, and for as long as
/// somebody has a session on it, whatever the age. Only then does a run
/// drop it, without ending anybody's session.
#[tokio::test]
async fn a_kept_database_stays_while_fresh_or_while_someone_looks_at_it() {
    let server = PrivateServer::start();
    let url = &*server.url;
    let output = child("children::child_fails_holding_a_database")
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    let line = harness_error(&output);
    let kept = line.split_whitespace().nth(3).unwrap().to_string();
    let psql_url = line.split('\'').nth(1).unwrap();

    run_until_it_swept(url, &[]).await; // a day old it is not
    assert!(testdb_databases(url).await.contains(&kept), "fresh, it stays");
    let mut looking = PgConnection::connect(psql_url).await.unwrap();
    run_until_it_swept(url, &[("TESTDB_STALE_SECS", "0")]).await;
    let evidence: String = sqlx::query_scalar("SELECT owner FROM notes")
        .fetch_one(&mut looking)
        .await
        .expect("the session on the kept database still works");
    assert_eq!(
        evidence, "evidence",
        "the kept database holds what the test saw"
    );
    assert!(testdb_databases(url).await.contains(&kept), "looked at, it stays");

    looking.close().await.unwrap();
    run_until_it_swept(url, &[("TESTDB_STALE_SECS", "0")]).await;
    let left = testdb_databases(url).await;
    assert!(!left.contains(&kept), "stale and unused, {kept} went: {left:?}");
}

/// A process killed with `kill -9`: its lock went with its session, so the
/// next run drops its databases; a live process's stay untouched.
#[tokio::test]
async fn the_databases_of_a_killed_process_are_dropped_by_the_next_run() {
    let server = PrivateServer::start();
    let url = &*server.url;
    let mut killed = Holder::start(holder_on(url, "notes"), 2);
    let live = Holder::start(holder_on(url, "notes"), 1);
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();
    // Its sessions end once the server sees their sockets close, and a
    // sweep leaves alone a database that still has one.
    let names: Vec<String> =
        killed.databases.iter().map(|d| d.0.clone()).collect();
    until_no_session_is_on(url, &names).await;

    run_until_it_swept(url, &[]).await;

    let left = testdb_databases(url).await;
    for (name, _) in &killed.databases {
        assert!(!left.contains(name), "{name} of the killed process went");
    }
    live.finish();
}

/// Waits, 10 s at most, until no session is connected to any of `names`.
async fn until_no_session_is_on(url: &str, names: &[String]) {
    let mut admin = PgConnection::connect(url).await.unwrap();
    let sessions =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY($1)";
    let ended = async {
        loop {
            let left: i64 = sqlx::query_scalar(sessions)
                .bind(names)
                .fetch_one(&mut admin)
                .await
                .unwrap();
            if left == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await; // polling
        }
    };
    tokio::time::timeout(Duration::from_secs(10), ended)
        .await
        .expect("the killed process's sessions ended within 10 s");
}

/// A peer stopped with SIGSTOP (Ctrl-Z) in the middle of its run holds no
/// lock that anyone waits on: another run starts, sweeps and ends in time,
/// and the stopped peer's databases are still its own when it resumes.
#[tokio::test]
async fn a_stopped_peer_stalls_nobody_and_keeps_its_databases() {
    let server = PrivateServer::start();
    let url = &*server.url;
    let peer = Holder::start(holder_on(url, "notes"), 2);
    let stopped = Stopped::stop(&peer);

    let started = std::time::Instant::now();
    run_until_it_swept(url, &[]).await;
    let took = started.elapsed();

    drop(stopped);
    peer.finish(); // its notes are intact
    assert!(took.as_secs() < 15, "the other run took {took:?}");
}

/// A holder stopped with SIGSTOP until this is dropped, even by a failing
/// test: a stopped process would outlive the test run.
struct Stopped(String);

impl Stopped {
    fn stop(holder: &Holder) -> Stopped {
        let pid = holder.child.id().to_string();
        signal("-STOP", &pid);
        Stopped(pid)
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        // No assert here: a second panic while unwinding would abort.
        let _ = Command::new("kill").args(["-CONT", &self.0]).status();
    }
}

fn signal(which: &str, pid: &str) {
    let sent = Command::new("kill").args([which, pid]).status().unwrap();
    assert!(sent.success(), "kill {which} {pid}");
}

/// `TESTDB_KEEP_FAILED=0`: a test failing on purpose keeps nothing.
#[tokio::test]
async fn a_failed_test_keeps_nothing_when_told_not_to() {
    let server = PrivateServer::start();
    let url = &*server.url;
    let output = child("children::child_fails_holding_a_database")
        .env("DATABASE_URL", url)
        .env("TESTDB_KEEP_FAILED", "0")
        .output()
        .unwrap();

    assert!(!output.status.success(), "the child fails on purpose");
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(!text.contains("kept database"), "nothing kept: {text}");
    let name = text.split("holding ").nth(1).unwrap().split_whitespace().next();
    let left = testdb_databases(url).await;
    assert!(!left.contains(&name.unwrap().to_string()), "it went: {left:?}");
}
