//! A throwaway PostgreSQL cluster: `initdb` into RAM, `pg_ctl start`, and a
//! watchdog that stops and deletes it when the test process ends — however it
//! ends, even by `kill -9`.
//!
//! Settings are chosen for tests, never for production: `fsync=off` and friends
//! trade crash safety (which a throwaway cluster doesn't need) for speed.

use std::{
    fs,
    io::Write,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{ChildStdin, Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
};

use sqlx::postgres::PgConnectOptions;

/// Every cluster directory starts with this, followed by the owning test
/// process's id and a counter (`testdb-pg-<pid>-<n>`); that is how the next
/// run recognises leftovers.
const DIR_PREFIX: &str = "testdb-pg-";

/// The port only names the socket file (`.s.PGSQL.5432`): the cluster listens
/// on no TCP port at all, so parallel runs can't collide on one.
pub const PORT: u16 = 5432;

pub struct Cluster {
    /// Data directory, which also holds the socket and the server log.
    pub data_dir: PathBuf,
    /// Kept open for the life of the process: the watchdog waits for it to close.
    _watchdog_pipe: ChildStdin,
}

impl Cluster {
    pub fn start() -> Result<Cluster, String> {
        let bin_dir = find_bin_dir().ok_or("initdb and pg_ctl not found on PATH, in `pg_config --bindir` or in /usr/lib/postgresql/*/bin")?;
        let owner = Owner::current()?;
        let base = base_dir();
        remove_leftovers(&base, &bin_dir, &owner);

        static STARTED: AtomicU32 = AtomicU32::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let data_dir =
            base.join(format!("{DIR_PREFIX}{}-{n}", std::process::id()));
        run(owner
            .command(bin_dir.join("initdb"))
            .args([
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "-D",
            ])
            .arg(&data_dir))?;
        append_test_settings(&data_dir)?;

        // Start the watchdog before the server, so there is no moment when a
        // running server has nobody to stop it.
        let watchdog_pipe = spawn_watchdog(&owner, &bin_dir, &data_dir)?;
        run(owner
            .command(bin_dir.join("pg_ctl"))
            .args(["start", "--wait", "--silent", "-D"])
            .arg(&data_dir)
            .arg("-l")
            .arg(data_dir.join("server.log")))
        .map_err(|why| {
            format!(
                "{why}; server log: {}",
                data_dir.join("server.log").display()
            )
        })?;

        Ok(Cluster {
            data_dir,
            _watchdog_pipe: watchdog_pipe,
        })
    }

    /// A URL for the maintenance database, for a process that reads `DATABASE_URL`.
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
}

/// Test-only settings, appended to the generated `postgresql.conf`.
fn append_test_settings(data_dir: &Path) -> Result<(), String> {
    let settings = format!(
        "\n# added by testdb: a throwaway cluster needs no durability\n\
         listen_addresses = ''\n\
         unix_socket_directories = '{}'\n\
         port = {PORT}\n\
         fsync = off\n\
         synchronous_commit = off\n\
         full_page_writes = off\n\
         max_connections = 100\n",
        data_dir.display()
    );
    fs::OpenOptions::new()
        .append(true)
        .open(data_dir.join("postgresql.conf"))
        .and_then(|mut file| file.write_all(settings.as_bytes()))
        .map_err(|error| format!("could not write postgresql.conf: {error}"))
}

/// A shell that blocks reading a pipe only this process holds open. When the
/// process exits, for any reason, the kernel closes the pipe, `read` returns,
/// and the shell stops the server and deletes its directory.
fn spawn_watchdog(
    owner: &Owner,
    bin_dir: &Path,
    data_dir: &Path,
) -> Result<ChildStdin, String> {
    const SCRIPT: &str = r#"trap '' INT TERM HUP; read _; "$1" stop -m immediate -D "$2" >/dev/null 2>&1; rm -rf "$2""#;
    let mut child = owner
        .command("sh".into())
        .args(["-c", SCRIPT, "testdb-watchdog"])
        .arg(bin_dir.join("pg_ctl"))
        .arg(data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: a Ctrl-C in the terminal must not kill the
        // watchdog before it has cleaned up.
        .process_group(0)
        .spawn()
        .map_err(|error| {
            format!("could not start the watchdog shell: {error}")
        })?;
    Ok(child.stdin.take().expect("stdin was piped"))
}

/// Stops and deletes clusters whose test process no longer exists: what a
/// run killed before its watchdog could act (a machine reboot, say) left.
fn remove_leftovers(base: &Path, bin_dir: &Path, owner: &Owner) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(DIR_PREFIX))
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if Path::new("/proc").join(pid).exists() {
            continue; // its process is alive: another test binary's cluster
        }
        let dir = entry.path();
        let _ = owner
            .command(bin_dir.join("pg_ctl"))
            .args(["stop", "-m", "immediate", "-D"])
            .arg(&dir)
            .output();
        let _ = fs::remove_dir_all(&dir);
    }
}

/// RAM-backed when the machine has it: a template clone takes ~10 ms on tmpfs
/// and 40–250 ms on an ordinary disk.
fn base_dir() -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() {
        shm
    } else {
        std::env::temp_dir()
    }
}

/// The first directory holding both `initdb` and `pg_ctl`: PATH, then what
/// `pg_config` reports, then Debian's versioned directories, newest first.
fn find_bin_dir() -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
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
            .unwrap_or("0");
        std::cmp::Reverse(
            version
                .split('.')
                .next()
                .and_then(|m| m.parse::<u32>().ok())
                .unwrap_or(0),
        )
    });
    from_path.chain(from_pg_config).chain(debian).find(|dir| {
        dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
    })
}

/// Who runs the server. PostgreSQL refuses to run as root, so as root we run
/// it (and the watchdog) as the `postgres` user instead.
struct Owner {
    ids: Option<(u32, u32)>,
}

impl Owner {
    fn current() -> Result<Owner, String> {
        if id(&["-u"])? != 0 {
            return Ok(Owner { ids: None });
        }
        let uid = id(&["-u", "postgres"]);
        let gid = id(&["-g", "postgres"]);
        match (uid, gid) {
            (Ok(uid), Ok(gid)) => Ok(Owner { ids: Some((uid, gid)) }),
            _ => Err("running as root, and PostgreSQL won't; create a `postgres` user or run the tests as a normal user".into()),
        }
    }

    fn command(&self, program: PathBuf) -> Command {
        let mut command = Command::new(program);
        if let Some((uid, gid)) = self.ids {
            command.uid(uid).gid(gid);
            // The caller's working directory may be closed to that user.
            command.current_dir("/");
        }
        command
    }
}

fn id(args: &[&str]) -> Result<u32, String> {
    let out = Command::new("id")
        .args(args)
        .output()
        .map_err(|e| format!("could not run `id`: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| format!("`id {}` failed", args.join(" ")))
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
