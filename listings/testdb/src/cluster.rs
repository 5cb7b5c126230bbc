//! One throwaway PostgreSQL cluster per machine user, shared by every test
//! process: the first that needs it starts it, the others join it, and a
//! small keeper process stops and deletes it once the last of them has
//! exited, however they exit (`kill -9` included).
//!
//! ```text
//! testdb-1000/      owner-only, in /dev/shm or the temp directory
//!   users.lock      every joined process holds a shared lock on it
//!   start.lock      held while a process checks or starts the server
//!   keeper.lock     held by the keeper for as long as it runs
//!   kept/           one file per database a failed test kept
//!   data/           the cluster; its socket is in testdb-1000/
//! ```
//!
//! `flock` locks go when their process ends, so no process id is ever
//! written down. The keeper is Perl (on every macOS and Debian): it must
//! outlive the tests.

use std::os::unix::{fs::DirBuilderExt, fs::MetadataExt, process::CommandExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use std::{fs, fs::File, fs::OpenOptions, fs::TryLockError, io::Write};

/// A joined cluster: while it exists, this process is a user.
pub struct Cluster {
    /// The socket, the locks, and `data/`.
    pub dir: PathBuf,
    /// Our shared lock on `users.lock`; closing the file releases it.
    _user: File,
}

impl Cluster {
    /// Joins this user's cluster, starting it first if nobody has.
    /// `TESTDB_RUNTIME_DIR` moves it (testdb's own tests use that).
    pub fn start() -> Result<Cluster, String> {
        let base = match std::env::var_os("TESTDB_RUNTIME_DIR") {
            Some(dir) => PathBuf::from(dir),
            None if Path::new("/dev/shm").is_dir() => "/dev/shm".into(),
            None => std::env::temp_dir(),
        };
        let owner = RunAs::current()?;
        let dir = base.join(format!("testdb-{}", owner.caller_uid));
        let user = join_users(&dir, &owner)?;
        // Held while we look: two processes must not both start it.
        let _start =
            lock_within(&dir.join("start.lock"), &owner, File::try_lock)?;
        if !dir.join("data/postmaster.pid").exists() {
            start_server(&crate::bin_dir::find()?, &owner, &dir)?;
        }
        // Nobody would stop it without a keeper, which holds keeper.lock.
        if lock_file(&dir.join("keeper.lock"), &owner)?.try_lock().is_ok() {
            spawn_keeper(&crate::bin_dir::find()?, &owner, &dir)?;
        }
        Ok(Cluster { dir, _user: user })
    }

    /// The maintenance URL; psql finds the socket by `host=` and the port.
    pub fn url(&self) -> String {
        let dir = self.dir.display();
        format!("postgres://postgres@localhost:5432/postgres?host={dir}")
    }

    /// A file in `kept/` per kept database: the keeper leaves the cluster
    /// running while there is one, for the reader to open it.
    pub fn note_kept(&self, name: &str, kept: bool) {
        let dir = self.dir.join("kept");
        let _ = match kept {
            true => fs::create_dir_all(&dir)
                .and_then(|()| fs::write(dir.join(name), "")),
            false => fs::remove_file(dir.join(name)),
        };
    }

    /// Whether the cluster is still there (nobody deleted or stopped it).
    pub fn is_intact(&self) -> bool {
        let files = ["postmaster.pid", "PG_VERSION", "global/pg_control"];
        files.iter().all(|file| self.dir.join("data").join(file).exists())
    }
}

/// Takes our shared lock on `users.lock`, making the directory if needed.
/// The keeper deletes the directory when it tears down, and another
/// process's directory may replace an empty one of ours: so the file we
/// locked must still be the one in place, or we start over.
fn join_users(dir: &Path, owner: &RunAs) -> Result<File, String> {
    let at = |e: std::io::Error| format!("{}: {e}", dir.display());
    loop {
        if fs::symlink_metadata(dir).is_err() {
            // Made aside, handed to the server's user, then renamed into place.
            let new = format!("new-{:x}", crate::names::random_u64());
            let new = dir.with_extension(new);
            fs::DirBuilder::new().mode(0o700).create(&new).map_err(at)?;
            owner.chown(&new)?;
            // If another's got there first, ours goes.
            let _ = fs::rename(&new, dir).or_else(|_| fs::remove_dir(&new));
        }
        let meta = fs::symlink_metadata(dir).map_err(at)?;
        // Not someone else's, in a directory all users share?
        let uid = owner.server.map_or(owner.caller_uid, |(uid, _)| uid);
        if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
            let dir = dir.display();
            return Err(format!(
                "{dir} is not an owner-only directory of the server's user; \
                 remove it (rm -rf {dir}) and run again"
            ));
        }
        let path = dir.join("users.lock");
        let file = match lock_within(&path, owner, File::try_lock_shared) {
            Err(_) if !path.exists() => continue,
            locked => locked?,
        };
        let ino = |m: std::io::Result<fs::Metadata>| m.map_or(0, |m| m.ino());
        if ino(fs::metadata(&path)) == ino(file.metadata()) {
            return Ok(file);
        }
    }
}

/// Opens and locks `path`, waiting at most `TESTDB_WAIT_SECS`: a process
/// stopped (Ctrl-Z) while it holds the lock must not stall every other.
fn lock_within(
    path: &Path,
    owner: &RunAs,
    lock: fn(&File) -> Result<(), TryLockError>,
) -> Result<File, String> {
    let file = lock_file(path, owner)?;
    let (at, bound) = (path.display(), crate::wait_bound());
    let deadline = Instant::now() + bound;
    loop {
        match lock(&file) {
            Ok(()) => return Ok(file),
            Err(TryLockError::Error(e)) => return Err(format!("{at}: {e}")),
            _ if Instant::now() >= deadline => break,
            // Polling: a lock held by another process wakes nobody.
            _ => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    Err(format!(
        "another process has held {at} for {} s; if it is stopped (Ctrl-Z), \
         resume or end it, then run again",
        bound.as_secs()
    ))
}

/// Opens (creating it if needed) a lock file the server's user can open.
fn lock_file(path: &Path, owner: &RunAs) -> Result<File, String> {
    let file = OpenOptions::new().append(true).create(true).open(path);
    let file = file.map_err(|e| format!("{}: {e}", path.display()))?;
    owner.chown(path).map(|()| file)
}

fn start_server(bin: &Path, owner: &RunAs, dir: &Path) -> Result<(), String> {
    // What a killed start left, and the kept files of a cluster now gone.
    let _ = fs::remove_dir_all(dir.join("data"));
    let _ = fs::remove_dir_all(dir.join("kept"));
    let data = dir.join("data");
    let mut initdb = owner.command(bin.join("initdb"));
    initdb.args(["--auth=trust", "--username=postgres", "--locale=C"]);
    run(initdb.args(["--encoding=UTF8", "--no-sync", "-D"]).arg(&data))?;
    // A throwaway cluster needs no durability. Shared memory as files in
    // data/: a server killed with -9 leaves no segments in /dev/shm.
    let settings = format!(
        "\nlisten_addresses = ''\nunix_socket_directories = '{}'\n\
         unix_socket_permissions = 0700\nfsync = off\n\
         synchronous_commit = off\nfull_page_writes = off\n\
         max_connections = 200\ndynamic_shared_memory_type = mmap\n",
        dir.display()
    );
    let conf =
        OpenOptions::new().append(true).open(data.join("postgresql.conf"));
    conf.and_then(|mut file| file.write_all(settings.as_bytes()))
        .map_err(|e| format!("could not write postgresql.conf: {e}"))?;
    let log = dir.join("server.log");
    let mut pg_ctl = owner.command(bin.join("pg_ctl"));
    pg_ctl.args(["start", "--wait", "--silent", "-l"]).arg(&log);
    run(pg_ctl.arg("-D").arg(&data))
        .map_err(|why| format!("{why}; server log: {}", log.display()))
}

/// Waits until it can lock `users.lock` exclusively (no user is left),
/// gives the next test process a moment to arrive (under nextest, each
/// test is a process), then stops the server and deletes the directory;
/// unless a failed test's database is kept.
const KEEPER: &str = r#"
use Fcntl ':flock';
my ($dir, $pg_ctl, $linger) = @ARGV;
$SIG{INT} = $SIG{TERM} = $SIG{HUP} = 'IGNORE';
open(my $keeper, '>>', "$dir/keeper.lock") or die;
flock($keeper, LOCK_EX | LOCK_NB) or exit 0;   # another keeper runs
open(my $users, '<', "$dir/users.lock") or die;
while (1) {
    flock($users, LOCK_EX) or die;              # every user has gone
    flock($users, LOCK_UN);
    select(undef, undef, undef, $linger);       # idle time, then recheck
    last if flock($users, LOCK_EX | LOCK_NB);   # still nobody: stop
}
opendir(my $kept, "$dir/kept");
exit 0 if grep { !/^\./ } readdir($kept);       # leave it up to look at
system($pg_ctl, 'stop', '-m', 'immediate', '-D', "$dir/data");
rename($dir, "$dir.gone.$$") and system('rm', '-rf', "$dir.gone.$$");
"#;

fn spawn_keeper(bin: &Path, owner: &RunAs, dir: &Path) -> Result<(), String> {
    let mut keeper = owner.command("perl".into());
    keeper.args(["-e", KEEPER]).arg(dir).arg(bin.join("pg_ctl"));
    keeper.arg(std::env::var("TESTDB_LINGER_SECS").as_deref().unwrap_or("3"));
    keeper.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    // Its own process group: a Ctrl-C in the terminal must not end it.
    let spawned = keeper.process_group(0).spawn();
    spawned.map(drop).map_err(|e| format!("could not start perl: {e}"))
}

/// Who runs the server. PostgreSQL refuses root, so as root the server
/// (and the keeper) run as `postgres`, which then owns the directory.
struct RunAs {
    caller_uid: u32,
    /// The uid and gid of `postgres` when we are root.
    server: Option<(u32, u32)>,
}

impl RunAs {
    fn current() -> Result<RunAs, String> {
        // SAFETY: getuid has no preconditions. getpwnam's entry, if any, is
        // read at once, before any other call could reuse its buffer.
        let (postgres, uid) = unsafe {
            let entry = libc::getpwnam(c"postgres".as_ptr()).as_ref();
            (entry.map(|e| (e.pw_uid, e.pw_gid)), libc::getuid())
        };
        let root = "running as root, and PostgreSQL won't; create a `postgres` \
                    user or run the tests as a normal user";
        let server = if uid == 0 { Some(postgres.ok_or(root)?) } else { None };
        Ok(RunAs { caller_uid: uid, server })
    }

    /// As root, hands a path we created to the server's user.
    fn chown(&self, path: &Path) -> Result<(), String> {
        let Some((uid, gid)) = self.server else { return Ok(()) };
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .map_err(|e| format!("could not chown {}: {e}", path.display()))
    }

    fn command(&self, program: PathBuf) -> Command {
        let mut command = Command::new(program);
        if let Some((uid, gid)) = self.server {
            // The caller's working directory may be closed to that user.
            command.uid(uid).gid(gid).current_dir("/");
        }
        command
    }
}

/// Runs a command to completion; on failure, its stderr in one line.
fn run(command: &mut Command) -> Result<(), String> {
    let program = command.get_program().display().to_string();
    let out = command.stdin(Stdio::null()).output();
    let out = out.map_err(|e| format!("could not run {program}: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr).replace('\n', " ");
    let why = format!("{program} failed ({}): {}", out.status, stderr.trim());
    if out.status.success() { Ok(()) } else { Err(why) }
}
