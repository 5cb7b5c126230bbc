//! On a server shared with other runs (a `DATABASE_URL`), a database is
//! dropped only once its owner is provably gone: its owner's advisory lock
//! can be taken. No process id is involved, so runs in other containers or
//! PID namespaces are safe from each other.

use std::process::{Command, Stdio};

use crate::helpers::{
    Holder, PrivateServer, child, harness_error, private_base, same_run,
    socket_dir, testdb_databases, wait_until_removed,
};

fn holder_on(url: &str) -> Command {
    let mut command = child("children::child_holds_databases");
    command.env("DATABASE_URL", url);
    command
}

/// A holder on the throwaway cluster under `base`.
fn holder_in(base: &std::path::Path) -> Command {
    let mut command = child("children::child_holds_databases");
    command.env("TESTDB_RUNTIME_DIR", base);
    command
}

/// The cluster's maintenance database, from one of its databases' URLs.
fn cluster_admin_url(database_url: &str) -> String {
    let mut url = url::Url::parse(database_url).unwrap();
    url.set_path("postgres");
    url.to_string()
}

/// The template of the migrations, for the next run, is all a finished run
/// leaves on a shared server (besides what failed tests kept).
fn only_the_template(names: &[String]) -> bool {
    match names {
        [] => true,
        [template] => template.ends_with("_template"),
        _ => false,
    }
}

/// Three processes claim three databases each at the same moment: nine
/// different databases, each untouched by the others. Afterwards nothing
/// they used is left.
#[tokio::test]
async fn racing_processes_never_share_a_database() {
    let server = PrivateServer::start();
    let url = server.url.clone();
    let racers = (0..3).map(|_| holder_on(&url)).collect();
    nine_claims_nine_databases_none_left(racers, &url).await;
}

/// The same on testdb's own cluster, where a claim is a lock on a file
/// (`testdb::local`). The stock is full before the race, so the racers'
/// first claims come straight from its files.
#[tokio::test]
async fn racing_processes_never_share_a_clone_of_the_own_cluster() {
    let base = private_base();
    let keeps_the_cluster = Holder::start(holder_in(base.path()), 1);
    let url = cluster_admin_url(&keeps_the_cluster.databases[0].1);
    let clones = socket_dir(&url).join("clones");
    crate::helpers::wait_for(30, "a full stock", || {
        let ready = std::fs::read_dir(&clones)
            .unwrap()
            .flatten()
            .filter(|file| {
                std::fs::read(file.path()).is_ok_and(|s| s == b"ready")
            })
            .count();
        match ready as i64 >= testdb::stock::SHARED_STOCK {
            true => Ok(()),
            false => Err(format!("{ready} ready")),
        }
    });
    let racers = (0..3).map(|_| holder_in(base.path())).collect();
    let names = nine_claims_nine_databases_none_left(racers, &url).await;
    assert!(
        names.iter().all(|name| name.contains("_local_")),
        "every claim was a file lock: {names:?}"
    );
    keeps_the_cluster.finish();
}

/// Starts the three `racers` together, holding three databases each;
/// checks they got nine different ones, and that none of the nine is left
/// once they have finished. Returns the nine names.
async fn nine_claims_nine_databases_none_left(
    racers: Vec<Command>,
    url: &str,
) -> Vec<String> {
    let holders = Holder::start_all(racers, 3);
    let mut names: Vec<_> = holders
        .iter()
        .flat_map(|h| h.databases.iter().map(|(name, _)| name.clone()))
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 9, "nine claims, nine databases: {names:?}");
    holders.into_iter().for_each(Holder::finish);

    let left = testdb_databases(url).await;
    assert!(
        names.iter().all(|used| !left.contains(used)),
        "every used database was dropped; left: {left:?}"
    );
    names
}

/// When the last process of a run exits, it drops what the run made on the
/// shared server: the clean stock that waited for more tests, and the
/// clones it had claimed ahead of tests that never came. Only the
/// template stays, for the next run with the same migrations.
#[tokio::test]
async fn a_finished_run_leaves_only_the_template_on_the_server() {
    let server = PrivateServer::start();
    let url = server.url.clone();
    let first = Holder::start(holder_on(&url), 2);
    let second = Holder::start(holder_on(&url), 1);
    first.finish(); // not the last: the second still runs
    let during = testdb_databases(&url).await;
    assert!(
        during.len() > 2,
        "while a run goes on, its stock stays: {during:?}"
    );
    second.finish(); // the last process of the run

    let left = testdb_databases(&url).await;
    assert!(
        only_the_template(&left),
        "only the template is left: {left:?}"
    );
    assert_eq!(left.len(), 1, "the template stays for the next run");
}

/// The last processes of a run (nextest's last tests) may exit at the same
/// moment, each seeing the others still there: the run still leaves only
/// the template.
#[tokio::test]
async fn processes_that_exit_together_still_leave_only_the_template() {
    let server = PrivateServer::start();
    let url = server.url.clone();
    let mut holders =
        Holder::start_all((0..6).map(|_| holder_on(&url)).collect(), 1);
    for holder in &mut holders {
        drop(holder.child.stdin.take()); // all are told to go at once
    }
    holders.into_iter().for_each(Holder::finish);

    let left = testdb_databases(&url).await;
    assert!(
        only_the_template(&left),
        "only the template is left: {left:?}"
    );
}

/// A process killed with `kill -9` while it holds databases: the next
/// process sees their owner lock is free and drops them, while a live
/// process's databases stay untouched.
#[test]
fn the_databases_of_a_killed_process_are_dropped_by_the_next_one() {
    let server = PrivateServer::start();
    let url = server.url.clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let survivor = Holder::start(holder_on(&url), 2);
    let mut killed = Holder::start(holder_on(&url), 2);
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();

    let next = Holder::start(holder_on(&url), 1);
    crate::helpers::wait_for(30, "the next process to drop them", || {
        let left = runtime.block_on(testdb_databases(&url));
        match killed.databases.iter().find(|(n, _)| left.contains(n)) {
            None => Ok(()),
            Some((name, _)) => Err(format!("{name} is still there")),
        }
    });
    next.finish();
    survivor.finish(); // checks its databases were never touched

    let left = runtime.block_on(testdb_databases(&url));
    assert!(
        only_the_template(&left),
        "only the template remains: {left:?}"
    );
}

/// A process killed with `kill -9` holds clones: its file locks go with it,
/// and the next process drops them (and any clone without a file), while a
/// live process's stay untouched.
#[test]
fn the_clones_of_a_killed_process_are_dropped_by_the_next_one() {
    let base = private_base();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let survivor = Holder::start(holder_in(base.path()), 2);
    let url = cluster_admin_url(&survivor.databases[0].1);
    let mut killed = Holder::start(holder_in(base.path()), 2);
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();

    // And a clone a process killed mid-`CREATE DATABASE` can leave: one
    // that landed after its file was swept away.
    let fileless = "testdb_000000000000_local_00000000000000bb".to_string();
    runtime.block_on(async {
        let mut admin: sqlx::PgConnection =
            sqlx::Connection::connect(&url).await.unwrap();
        let sql = format!("CREATE DATABASE {fileless}");
        sqlx::query(&sql).execute(&mut admin).await.unwrap();
    });

    let next = Holder::start(holder_in(base.path()), 1);
    let clones = socket_dir(&url).join("clones");
    crate::helpers::wait_for(30, "the next process to drop them", || {
        let left = runtime.block_on(testdb_databases(&url));
        let there =
            |name: &String| left.contains(name) || clones.join(name).exists();
        let gone = killed.databases.iter().map(|(name, _)| name);
        match gone.chain([&fileless]).find(|name| there(name)) {
            None => Ok(()),
            Some(name) => Err(format!("{name} or its file is there")),
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

/// A failed test keeps its database and prints how to open it. A later
/// process of the same run leaves it (it may be the next test binary of one
/// `cargo test`); the next run drops it.
#[tokio::test]
async fn a_failed_tests_database_is_kept_until_the_next_run() {
    let server = PrivateServer::start();
    let url = server.url.clone();

    let mut failing = child("children::child_fails_holding_a_database");
    let output = failing.env("DATABASE_URL", &url).output().unwrap();
    assert!(!output.status.success(), "the child fails on purpose");
    let line = harness_error(&output);
    assert!(line.contains("psql '"), "says how to open it: {line}");
    let name = line.split_whitespace().nth(3).unwrap().to_string();
    let psql_url = line.split('\'').nth(1).unwrap();
    let mut kept: sqlx::PgConnection =
        sqlx::Connection::connect(psql_url).await.unwrap();
    let evidence: String = sqlx::query_scalar("SELECT owner FROM notes")
        .fetch_one(&mut kept)
        .await
        .unwrap();
    assert_eq!(
        evidence, "evidence",
        "the kept database holds what the test saw"
    );
    drop(kept);

    // A dead process's clone, for proof that the sweep below ran.
    let orphan = "testdb_000000000000_00000000000000aa";
    let mut admin: sqlx::PgConnection =
        sqlx::Connection::connect(&url).await.unwrap();
    for sql in [
        format!("CREATE DATABASE {orphan}"),
        format!("COMMENT ON DATABASE {orphan} IS 'used'"),
    ] {
        sqlx::query(&sql).execute(&mut admin).await.unwrap();
    }
    let mut same = holder_on(&url);
    same_run(&mut same, &failing);
    Holder::start(same, 1).finish(); // alone, but of the same run
    let left = testdb_databases(&url).await;
    assert!(!left.contains(&orphan.into()), "it swept: {left:?}");
    assert!(left.contains(&name), "the same run keeps {name}: {left:?}");

    Holder::start(holder_on(&url), 1).finish(); // the next run
    let left = testdb_databases(&url).await;
    assert!(
        !left.contains(&name),
        "{name} was dropped by the next run: {left:?}"
    );
}

/// `cargo test` runs its test binaries one after another, each a child of
/// the one cargo process: testdb counts them as one run by that parent, so
/// a later binary keeps what an earlier one's failed test kept.
#[tokio::test]
async fn the_test_binaries_of_one_cargo_test_are_one_run() {
    let server = PrivateServer::start();
    let url = server.url.clone();
    // A shell stands in for cargo: the parent of both test processes.
    // (`; true`: a shell may replace itself with its last command.)
    let as_cargo = |script: &str| {
        Command::new("sh")
            .args(["-c", script])
            .arg(std::env::current_exe().unwrap())
            .env("DATABASE_URL", &url)
            .env("CARGO", "cargo")
            .env_remove("NEXTEST_RUN_ID")
            .env_remove("TESTDB_RUNTIME_DIR")
            .output()
            .unwrap()
    };
    let test = "\"$0\" --ignored --quiet --exact children::child";
    let output = as_cargo(&format!(
        "{test}_fails_holding_a_database; {test}_asks_for_a_database; true"
    ));
    let line = harness_error(&output);
    let name = line.split_whitespace().nth(3).unwrap().to_string();
    let left = testdb_databases(&url).await;
    assert!(left.contains(&name), "one cargo run keeps {name}: {left:?}");

    as_cargo(&format!("{test}_asks_for_a_database; true")); // another run
    let left = testdb_databases(&url).await;
    assert!(!left.contains(&name), "the next run drops {name}: {left:?}");
}

/// On the throwaway cluster, a failed test's database keeps the cluster up
/// after the run (to be opened), and the next run removes both.
#[test]
fn a_failed_test_keeps_the_throwaway_cluster_until_the_next_run() {
    let base = private_base();
    let mut failing = child("children::child_fails_holding_a_database");
    let output = failing
        .env("TESTDB_RUNTIME_DIR", base.path())
        .output()
        .unwrap();
    let line = harness_error(&output);
    assert!(line.contains("psql '"), "says how to open it: {line}");
    let dir = socket_dir(line.split('\'').nth(1).unwrap());
    let keeper_gone = || {
        let file = std::fs::File::open(dir.join("keeper.lock")).unwrap();
        file.try_lock().map_err(|e| format!("keeper.lock: {e}"))
    };
    crate::helpers::wait_for(30, "the keeper to end", keeper_gone);
    assert!(
        dir.join("data/postmaster.pid").exists(),
        "the cluster is still up, for the reader to look"
    );

    // A dead process's clone file, for proof that the sweep below ran.
    let orphan = dir.join("clones/testdb_000000000000_local_00000000000000aa");
    std::fs::write(&orphan, "used").unwrap();
    let mut same = child("children::child_holds_databases");
    same.env("TESTDB_RUNTIME_DIR", base.path());
    same_run(&mut same, &failing);
    Holder::start(same, 1).finish(); // alone, but of the same run
    assert!(!orphan.exists(), "the same run's process swept");
    crate::helpers::wait_for(30, "the keeper to end", keeper_gone);
    assert!(
        dir.join("kept").read_dir().unwrap().next().is_some(),
        "the same run leaves the failed test's database"
    );

    let mut next = child("children::child_holds_databases");
    next.env("TESTDB_RUNTIME_DIR", base.path());
    Holder::start(next, 1).finish();
    wait_until_removed(&dir);
}

/// Two runs at once on one server, from two PID namespaces (as from two
/// containers): process ids mean nothing across them, and neither run
/// loses a database. Needs root, for `unshare`.
#[tokio::test]
async fn two_runs_in_two_pid_namespaces_share_a_server_safely() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        assert!(
            std::env::var_os("CI").is_none(),
            "this test needs root (unshare --pid); CI must run it as root"
        );
        eprintln!("skipped: needs root for unshare --pid; run as root");
        return;
    }
    let server = PrivateServer::start();
    let url = server.url.clone();
    let in_namespace = || {
        let mut command = Command::new("unshare");
        command
            .args(["--pid", "--fork", "--mount-proc"])
            .arg(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "children::child_holds_databases",
                "--nocapture",
                "--quiet",
            ])
            .env("DATABASE_URL", &url)
            .env("CHILD_DATABASES", "3")
            .stdin(Stdio::null());
        command
    };
    let started: Vec<_> = (0..2)
        .map(|_| {
            let mut command = in_namespace();
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
            command.spawn().unwrap()
        })
        .collect();
    let runs: Vec<_> = started
        .into_iter()
        .map(|run| run.wait_with_output().unwrap())
        .collect();
    for run in &runs {
        assert!(
            run.status.success(),
            "both runs pass: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let left = testdb_databases(&url).await;
    assert!(only_the_template(&left), "nothing used is left: {left:?}");
}

/// `TESTDB_KEEP_FAILED=0`: a test failing on purpose keeps nothing.
#[tokio::test]
async fn a_failed_test_keeps_nothing_when_told_not_to() {
    let server = PrivateServer::start();
    let url = server.url.clone();

    let output = child("children::child_fails_holding_a_database")
        .env("DATABASE_URL", &url)
        .env("TESTDB_KEEP_FAILED", "0")
        .output()
        .unwrap();

    assert!(!output.status.success(), "the child fails on purpose");
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(!text.contains("kept database"), "nothing kept: {text}");
    let left = testdb_databases(&url).await;
    assert!(
        only_the_template(&left),
        "its database was dropped: {left:?}"
    );
}
