//! One throwaway PostgreSQL cluster per machine user, shared by every test
//! process: the first process that needs it starts it, the others join it,
//! and a small keeper process stops and deletes it once the last of them has
//! exited — however they exit, `kill -9` included.
//!
//! Everything lives in one owner-only directory, `testdb-<uid>` in RAM
//! (`/dev/shm`) or the temp directory:
//!
//! ```text
//! testdb-1000/
//!   users.lock      every joined process holds a shared lock on it
//!   start.lock      held while a process checks, starts or repairs
//!   keeper.lock     held by the keeper for as long as it runs
//!   kept/           one file per database a failed test kept
//!   clones/         one file per clone, locked by its owner (see `local`)
//!   data/           the cluster (PGDATA); its socket is in testdb-1000/
//! ```
//!
//! The locks are `flock` locks: the kernel drops them when their process
//! ends, so no process id is ever written down or checked. The keeper waits
//! for an exclusive lock on `users.lock`, which it gets only when no user is
//! left; it is a few lines of Perl (part of every macOS and Debian install),
//! because it must outlive the test process and take that lock.
//!
//! Settings are for tests, never for production: `fsync=off` and friends
//! trade crash safety (which a throwaway cluster doesn't need) for speed.

use std::{
    fs::{self, File, OpenOptions},
    io::Write,
    os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use sqlx::postgres::PgConnectOptions;

/// The port only names the socket file (`.s.PGSQL.5432`): the cluster listens
/// on no TCP port at all, so it can't collide with anything.
pub const PORT: u16 = 5432;

/// How long the cluster outlives its last user. Under `cargo nextest run`
/// every test is a process of its own; this lets the next one find the
/// cluster still running instead of starting a new one (about a second).
pub const LINGER_SECONDS: u32 = 3;

/// A joined cluster. While it exists, this process counts as a user and the
/// cluster stays up; dropping it (or the process ending) leaves.
pub struct Cluster {
    /// The cluster's directory: the socket, the locks, and `data/`.
    pub data_dir: PathBuf,
    /// Our shared lock on `users.lock`; closing the file releases it.
    _user: File,
}

impl Cluster {
    /// Joins this user's cluster, starting it first if nobody has.
    pub fn start() -> Result<Cluster, String> {
        // TESTDB_RUNTIME_DIR moves it (tests of testdb itself use it to get
        // a cluster of their own).
        let shm = Path::new("/dev/shm");
        let base = match std::env::var_os("TESTDB_RUNTIME_DIR") {
            Some(dir) => PathBuf::from(dir),
            None if shm.is_dir() => shm.to_path_buf(),
            None => std::env::temp_dir(),
        };
        Cluster::start_in(&base)
    }

    /// The same, with the cluster's directory under `base`.
    pub fn start_in(base: &Path) -> Result<Cluster, String> {
        // Looked for only when needed: a process that joins a running
        // cluster starts no other program.
        let bin_dir = || {
            find_bin_dir().ok_or(
                "initdb and pg_ctl not found on PATH, in `pg_config \
                 --bindir` or in /usr/lib/postgresql/*/bin",
            )
        };
        let owner = Owner::current()?;
        let dir = cluster_dir(base, &owner)?;
        let user = join_users(&dir, &owner)?;

        // Held while we look: two processes must not both start a cluster.
        let start = lock_file(&dir.join("start.lock"), &owner)?;
        start
            .lock()
            .map_err(|e| format!("could not lock start.lock: {e}"))?;
        if !dir.join("data/postmaster.pid").exists() {
            start_server(&bin_dir()?, &owner, &dir)?;
        }
        if keeper_is_missing(&dir, &owner)? {
            // The first user, or a cluster a failed run left up on purpose
            // (see `kept`): from here on, someone must stop it.
            spawn_keeper(&bin_dir()?, &owner, &dir)?;
        }
        Ok(Cluster {
            data_dir: dir,
            _user: user,
        })
    }

    /// A URL for the maintenance database, for a process that reads
    /// `DATABASE_URL`.
    pub fn admin_url(&self) -> String {
        format!(
            "postgres://postgres@localhost:{PORT}/postgres?host={}",
            self.data_dir.display()
        )
    }

    pub fn connect_options(&self) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.data_dir)
            .port(PORT)
            .username("postgres")
            .database("postgres")
    }

    /// Where a failed test's database is recorded, so the keeper leaves the
    /// cluster running for someone to look at it.
    pub fn kept_dir(&self) -> PathBuf {
        self.data_dir.join("kept")
    }

    /// Where the files that say who owns each clone are (see `local`),
    /// made by the first process that needs it.
    pub fn clones_dir(&self) -> Result<PathBuf, String> {
        let dir = self.data_dir.join("clones");
        if !dir.is_dir() {
            // Handed to the server's user before it appears: the keeper,
            // which runs as that user, must be able to empty it.
            create_whole(&dir, &Owner::current()?)?;
        }
        Ok(dir)
    }
}

/// `testdb-<uid>`, created owner-only. A directory of that name that is not
/// ours (someone else made it in the shared `/dev/shm`) is refused.
fn cluster_dir(base: &Path, owner: &Owner) -> Result<PathBuf, String> {
    let dir = base.join(format!("testdb-{}", owner.caller_uid));
    if fs::symlink_metadata(&dir).is_err() {
        create_whole(&dir, owner)?;
    }
    let meta = fs::symlink_metadata(&dir)
        .map_err(|e| format!("could not read {}: {e}", dir.display()))?;
    if !meta.is_dir()
        || meta.uid() != owner.server_uid()
        || meta.permissions().mode() & 0o077 != 0
    {
        return Err(format!(
            "{} is not an owner-only directory of the server's user; \
             remove it (rm -rf {}) and run again",
            dir.display(),
            dir.display()
        ));
    }
    Ok(dir)
}

/// Makes `dir` under a temporary name, hands it to the server's user, and
/// only then renames it into place: a process starting at the same moment
/// never sees it made but not yet handed over (and refuses it).
fn create_whole(dir: &Path, owner: &Owner) -> Result<(), String> {
    let random = crate::stock::random_u64();
    let new = dir.with_extension(format!("new-{random:016x}"));
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&new)
        .map_err(|e| format!("could not create {}: {e}", new.display()))?;
    owner.chown(&new)?;
    if fs::rename(&new, dir).is_err() {
        // Another process's is in place already (and in use): ours goes.
        let _ = fs::remove_dir(&new);
    }
    Ok(())
}

/// Takes our shared lock on `users.lock`. The keeper deletes the whole
/// directory when it tears down, so the file we locked may have been
/// unlinked while we waited: then start over with the new one.
fn join_users(dir: &Path, owner: &Owner) -> Result<File, String> {
    loop {
        fs::DirBuilder::new()
            .mode(0o700)
            .create(dir)
            .or_else(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => Ok(()),
                _ => Err(e),
            })
            .and_then(|()| owner.chown(dir).map_err(std::io::Error::other))
            .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        let path = dir.join("users.lock");
        let file = lock_file(&path, owner)?;
        file.lock_shared()
            .map_err(|e| format!("could not lock {}: {e}", path.display()))?;
        let still_there = fs::metadata(&path)
            .map(|now| now.ino() == file.metadata().map_or(0, |m| m.ino()))
            .unwrap_or(false);
        if still_there {
            return Ok(file);
        }
    }
}

/// Opens (creating it if needed) a lock file the server's user can open too.
fn lock_file(path: &Path, owner: &Owner) -> Result<File, String> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| format!("could not open {}: {e}", path.display()))?;
    owner.chown(path)?;
    Ok(file)
}

/// The keeper holds `keeper.lock` for its whole life: if we can take it,
/// no keeper is running.
fn keeper_is_missing(dir: &Path, owner: &Owner) -> Result<bool, String> {
    let file = lock_file(&dir.join("keeper.lock"), owner)?;
    Ok(file.try_lock().is_ok()) // released when `file` closes, right here
}

fn start_server(bin: &Path, owner: &Owner, dir: &Path) -> Result<(), String> {
    let data = dir.join("data");
    // A half-made cluster (a start that was killed) would make initdb fail.
    // What said who owns which database, or which were kept, describes a
    // cluster that is gone: it goes too.
    for old in ["data", "clones", "kept"] {
        let _ = fs::remove_dir_all(dir.join(old));
    }
    run(owner
        .command(bin.join("initdb"))
        .args([
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "-D",
        ])
        .arg(&data))?;
    append_test_settings(&data, dir)?;
    let log = dir.join("server.log");
    run(owner
        .command(bin.join("pg_ctl"))
        .args(["start", "--wait", "--silent", "-D"])
        .arg(&data)
        .arg("-l")
        .arg(&log))
    .map_err(|why| format!("{why}; server log: {}", log.display()))
}

/// Test-only settings, appended to the generated `postgresql.conf`.
fn append_test_settings(data: &Path, socket_dir: &Path) -> Result<(), String> {
    let settings = format!(
        "\n# added by testdb: a throwaway cluster needs no durability\n\
         listen_addresses = ''\n\
         unix_socket_directories = '{}'\n\
         unix_socket_permissions = 0700\n\
         port = {PORT}\n\
         fsync = off\n\
         synchronous_commit = off\n\
         full_page_writes = off\n\
         max_connections = 200\n\
         # loaded once by the server, not by each new session that claims\n\
         # a clone (the claim is a PL/pgSQL block)\n\
         shared_preload_libraries = 'plpgsql'\n\
         # shared memory segments as files in data/, not in /dev/shm: a\n\
         # server killed with -9 can't leave them behind once data/ goes\n\
         dynamic_shared_memory_type = mmap\n",
        socket_dir.display()
    );
    OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .and_then(|mut file| file.write_all(settings.as_bytes()))
        .map_err(|error| format!("could not write postgresql.conf: {error}"))
}

// ANCHOR: keeper -- waits for the last user, lingers, then stops and deletes
/// The keeper: waits until it can lock `users.lock` exclusively (no user is
/// left), gives the next test process a moment to arrive, then stops the
/// server and deletes the directory. A failed test's database keeps the
/// cluster up instead, for the reader to open; the next run clears it.
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
// ANCHOR_END: keeper

fn spawn_keeper(bin: &Path, owner: &Owner, dir: &Path) -> Result<(), String> {
    owner
        .command("perl".into())
        .args(["-e", KEEPER])
        .arg(dir)
        .arg(bin.join("pg_ctl"))
        .arg(LINGER_SECONDS.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: a Ctrl-C in the terminal must not kill
        // the keeper before it has cleaned up.
        .process_group(0)
        .spawn()
        .map(drop)
        .map_err(|e| format!("could not start the keeper (perl): {e}"))
}

/// The first directory holding both `initdb` and `pg_ctl`: PATH, then what
/// `pg_config` reports, then Debian's versioned directories, newest first.
fn find_bin_dir() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    // Run only if PATH has no server binaries.
    let from_pg_config = std::iter::once_with(|| {
        Command::new("pg_config")
            .arg("--bindir")
            .output()
            .ok()
            .map(|out| {
                PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
            })
    })
    .flatten();
    let mut debian: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .collect();
    // Newest first: compare the version directory as a number ("16" > "9.6").
    debian.sort_by_key(|p| {
        let version = p
            .parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok())
            .unwrap_or(0);
        std::cmp::Reverse(version)
    });
    from_path.chain(from_pg_config).chain(debian).find(|dir| {
        dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
    })
}

/// Who runs the server. PostgreSQL refuses to run as root, so as root we run
/// it (and the keeper) as the `postgres` user, which then owns the directory.
struct Owner {
    caller_uid: u32,
    server: Option<(u32, u32)>,
}

impl Owner {
    fn current() -> Result<Owner, String> {
        // SAFETY: getuid has no preconditions and cannot fail.
        let caller_uid = unsafe { libc::getuid() };
        if caller_uid != 0 {
            return Ok(Owner {
                caller_uid,
                server: None,
            });
        }
        match user_ids("postgres") {
            Some((uid, gid)) => Ok(Owner {
                caller_uid,
                server: Some((uid, gid)),
            }),
            None => Err("running as root, and PostgreSQL won't; create a \
                         `postgres` user or run the tests as a normal user"
                .into()),
        }
    }

    fn server_uid(&self) -> u32 {
        self.server.map_or(self.caller_uid, |(uid, _)| uid)
    }

    /// As root, hands a path we created to the server's user.
    fn chown(&self, path: &Path) -> Result<(), String> {
        match self.server {
            None => Ok(()),
            Some((uid, gid)) => {
                std::os::unix::fs::chown(path, Some(uid), Some(gid)).map_err(
                    |e| format!("could not chown {}: {e}", path.display()),
                )
            }
        }
    }

    fn command(&self, program: PathBuf) -> Command {
        let mut command = Command::new(program);
        if let Some((uid, gid)) = self.server {
            command.uid(uid).gid(gid);
            // The caller's working directory may be closed to that user.
            command.current_dir("/");
        }
        command
    }
}

/// The user id and group id of the user `name`, from the user database.
fn user_ids(name: &str) -> Option<(u32, u32)> {
    let name = std::ffi::CString::new(name).ok()?;
    // SAFETY: getpwnam_r writes only into `entry` and `buffer`, both ours
    // and as large as we say; `found` points into `entry` or is null.
    unsafe {
        let mut entry: libc::passwd = std::mem::zeroed();
        let mut buffer = vec![0 as libc::c_char; 16 * 1024];
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let status = libc::getpwnam_r(
            name.as_ptr(),
            &mut entry,
            buffer.as_mut_ptr(),
            buffer.len(),
            &mut found,
        );
        (status == 0 && !found.is_null())
            .then_some((entry.pw_uid, entry.pw_gid))
    }
}

/// Runs a command to completion; on failure returns its stderr in one line.
fn run(command: &mut Command) -> Result<(), String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("could not run {program}: {error}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr).replace('\n', " ");
    Err(format!(
        "{program} failed ({}): {}",
        out.status,
        stderr.trim()
    ))
}
