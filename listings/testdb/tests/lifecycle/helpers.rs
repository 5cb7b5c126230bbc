//! Starting child test processes and reading what they print.

use std::{
    io::{BufRead, BufReader, Lines},
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, ChildStdout, Command, Output, Stdio},
    sync::{
        OnceLock,
        atomic::{AtomicU64, Ordering},
    },
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

/// One server for the tests of this run that stand for a team sharing
/// one (`DATABASE_URL`): they run at once, as colleagues' runs do, and
/// each checks only what is its own. A holder in each test process keeps
/// it up; when this process exits, its stdin closes and it ends. Under
/// nextest (a process per test) the processes of one run join one cluster,
/// which waits 2 s for the next before it goes: a cluster each would
/// cost every test an `initdb`. Its base, in cargo's scratch directory
/// (in RAM it would outlive the run there), is left empty: the next run
/// removes those a minute old (a new one holds its cluster in seconds).
pub fn shared_server() -> &'static str {
    static SERVER: OnceLock<(String, Holder)> = OnceLock::new();
    &SERVER
        .get_or_init(|| {
            let run = std::env::var("NEXTEST_RUN_ID");
            let (run, linger) = match run {
                Ok(id) => (id, "2"),
                Err(_) => (std::process::id().to_string(), "0"),
            };
            let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
            remove_old_bases(scratch, "testdb-lifecycle-");
            let base = scratch.join(format!("testdb-lifecycle-{run}"));
            std::fs::create_dir_all(&base).unwrap();
            let open = std::fs::Permissions::from_mode(0o1777);
            std::fs::set_permissions(&base, open).unwrap();
            let mut command = child("children::child_serves_the_cluster");
            // Its output after this process has gone has no reader.
            command
                .env("TESTDB_RUNTIME_DIR", &base)
                .env("TESTDB_LINGER_SECS", linger)
                .stderr(std::process::Stdio::null());
            let holder = Holder::start(command, 0);
            (holder.databases[0].1.clone(), holder)
        })
        .0
}

/// Bases `prefix…` that earlier runs left empty when their clusters went,
/// once a minute old: a new one holds its cluster within seconds.
fn remove_old_bases(parent: &Path, prefix: &str) {
    let old = |e: &std::fs::DirEntry| {
        let modified = e.metadata().and_then(|m| m.modified()).ok();
        let age = modified.and_then(|t| t.elapsed().ok()).unwrap_or_default();
        age > Duration::from_secs(60)
    };
    for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        let ours = entry.file_name().to_string_lossy().starts_with(prefix);
        if ours && old(&entry) {
            let _ = std::fs::remove_dir(entry.path()); // only if empty
        }
    }
}

/// A server of one test's own, for a test whose runs would touch other
/// tests' work (everything stale for them). It goes when dropped.
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
