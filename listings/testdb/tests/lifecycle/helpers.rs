//! Starting child test processes and reading what they print.

use std::{
    io::{BufRead, BufReader, Lines},
    path::{Path, PathBuf},
    process::{Child, ChildStdout, Command, Output, Stdio},
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

pub static MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("tests/lifecycle/migrations");

/// This test binary, set to run one ignored child test, with no
/// `DATABASE_URL` unless the caller adds one: a run of its own, as if
/// started by its own `cargo test`.
pub fn child(test: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--ignored", "--exact", test, "--nocapture", "--quiet"])
        .env_remove("DATABASE_URL")
        .env_remove("TESTDB_RUNTIME_DIR")
        .env_remove("TESTDB_STALE_SECS")
        .env_remove("NEXTEST_EXECUTION_MODE")
        // A cluster of a test's own has no next process to wait for.
        .env("TESTDB_LINGER_SECS", "0");
    command
}

/// A child that holds a database of `migrations` ("notes" or "other") on
/// the server at `url`. It runs as under nextest, with one worker and no
/// clones claimed ahead: the owner rule is the same, with less to make.
pub fn holder_on(url: &str, migrations: &str) -> Command {
    let mut command = child("children::child_holds_databases");
    command.env("DATABASE_URL", url).env("CHILD_MIGRATIONS", migrations);
    command.env("NEXTEST_EXECUTION_MODE", "process-per-test");
    command
}

/// The first line of a child's output that starts with `testdb:`.
pub fn harness_error(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find(|line| line.trim_start().starts_with("testdb:"))
        .unwrap_or_else(|| {
            panic!("no `testdb:` error line in the child's output:\n{text}")
        })
        .trim()
        .to_string()
}

/// A child that holds its databases until its stdin gets a line.
pub struct Holder {
    pub child: Child,
    /// (name, url) of each database it holds.
    pub databases: Vec<(String, String)>,
    /// The rest of its output, read to the end before it is waited for.
    rest: Lines<BufReader<ChildStdout>>,
}

impl Holder {
    /// Starts holders together (their claims race each other), and
    /// returns once each holds its databases.
    pub fn start_all(commands: Vec<Command>, databases: usize) -> Vec<Holder> {
        let children: Vec<Child> = commands
            .into_iter()
            .map(|mut command| {
                command
                    .env("CHILD_DATABASES", databases.to_string())
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .expect("start a child test process")
            })
            .collect();
        children
            .into_iter()
            .map(|mut child| {
                let out = child.stdout.take().unwrap();
                let mut rest = BufReader::new(out).lines();
                let databases = read_databases(&mut rest);
                Holder { child, databases, rest }
            })
            .collect()
    }

    pub fn start(command: Command, databases: usize) -> Holder {
        Holder::start_all(vec![command], databases).pop().unwrap()
    }

    /// Lets it check its databases and end; panics if it failed.
    pub fn finish(mut self) {
        drop(self.child.stdin.take()); // EOF: the child's signal to go on
        self.rest.by_ref().for_each(drop);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "a holder failed: {status}");
    }
}

fn read_databases(
    lines: &mut Lines<BufReader<ChildStdout>>,
) -> Vec<(String, String)> {
    let mut databases = Vec::new();
    for line in lines {
        let line = line.unwrap();
        if line == "holding" {
            return databases;
        }
        if let Some(rest) = line.strip_prefix("database ") {
            let (name, url) = rest.split_once(' ').unwrap();
            databases.push((name.to_string(), url.to_string()));
        }
    }
    panic!("the child ended before it held its databases: {databases:?}");
}

/// The cluster directory inside a database URL (`?host=<dir>`).
pub fn socket_dir(url: &str) -> PathBuf {
    PathBuf::from(url.split("host=").nth(1).expect("a socket URL"))
}

/// Where the tests' clusters live: in RAM where there is /dev/shm, as
/// testdb's own: on a disk's file system, `initdb` and each clone's few
/// hundred files cost the server several times the CPU.
fn ram() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() { shm.into() } else { std::env::temp_dir() }
}

/// A temporary base directory for a cluster of the test's own, which the
/// server's user (`postgres`, when the tests run as root) can enter.
pub fn private_base() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let base = tempfile::Builder::new().prefix("tdb").tempdir_in(ram());
    let base = base.unwrap();
    std::fs::set_permissions(
        base.path(),
        std::fs::Permissions::from_mode(0o1777),
    )
    .unwrap();
    base
}

/// Polls `done` every 50 ms until it holds or `seconds` pass, then panics
/// naming what it waited for and what it saw last.
pub fn wait_for(
    seconds: u64,
    what: &str,
    mut done: impl FnMut() -> Result<(), String>,
) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let last = match done() {
            Ok(()) => return,
            Err(seen) => seen,
        };
        assert!(
            Instant::now() < deadline,
            "waited {seconds} s for {what}; last saw: {last}"
        );
        std::thread::sleep(Duration::from_millis(50)); // polling interval
    }
}

/// Waits until the cluster directory is gone and no server runs from it.
pub fn wait_until_removed(dir: &Path) {
    wait_for(30, "the cluster to be stopped and deleted", || {
        let running = Command::new("pgrep")
            .args(["-f", &dir.join("data").to_string_lossy()])
            .output()
            .unwrap();
        match (dir.exists(), running.stdout.is_empty()) {
            (false, true) => Ok(()),
            (exists, _) => Err(format!(
                "{} exists: {exists}; server processes: {}",
                dir.display(),
                String::from_utf8_lossy(&running.stdout).trim()
            )),
        }
    });
}

/// A server of one test's own, in RAM (an `initdb` there is cheap), so
/// that no test's runs touch another test's work (some runs treat
/// everything as stale). It goes when dropped.
pub struct PrivateServer {
    pub url: String,
    holder: Option<Holder>,
    _base: tempfile::TempDir,
}

impl PrivateServer {
    pub fn start() -> PrivateServer {
        let base = private_base();
        let mut command = child("children::child_serves_the_cluster");
        command.env("TESTDB_RUNTIME_DIR", base.path());
        let holder = Holder::start(command, 0);
        let url = holder.databases[0].1.clone();
        PrivateServer { url, holder: Some(holder), _base: base }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let holder = self.holder.take().unwrap();
        holder.finish();
        if !std::thread::panicking() {
            wait_until_removed(&socket_dir(&self.url));
        }
    }
}

/// The URL of another database of the server at `url`.
pub fn url_of(url: &str, database: &str) -> String {
    let mut url = url::Url::parse(url).unwrap();
    url.set_path(database);
    url.to_string()
}

/// A name for a database a dead process left: its key is nobody's.
pub fn orphan_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("testdb_000000000000_4000000000000001_{}{n}", std::process::id())
}

/// Names of the `testdb` databases on the server behind `url`.
pub async fn testdb_databases(url: &str) -> Vec<String> {
    let mut admin: sqlx::PgConnection =
        sqlx::Connection::connect(url).await.unwrap();
    sqlx::query_scalar(
        "SELECT datname::text FROM pg_database \
         WHERE datname LIKE 'testdb%' ORDER BY 1",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap()
}
