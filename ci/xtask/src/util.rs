//! What every command shares: the workspace root, running programs, steps,
//! and the rule that CI=true turns a missing prerequisite into a failure.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::Mutex,
};

use anyhow::{Context, Result, bail};

/// The workspace root (this crate lives in `ci/xtask`). `XTASK_ROOT`
/// points the checks at another tree (the self-tests use an empty one).
pub fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("XTASK_ROOT") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("ci/xtask sits two levels under the workspace root")
}

/// What every program this tool starts gets on top of this process's own
/// environment (`cmd` applies it): `TEST_SEED` in a CI run, PATH with
/// `~/.cargo/bin`, the local PostgreSQL image. This process's environment
/// is never changed.
static CHILD_ENV: Mutex<Vec<(String, OsString)>> = Mutex::new(Vec::new());

/// Sets `key=value` for every program started from now on.
pub fn set_child_env(key: &str, value: impl Into<OsString>) {
    let mut env = CHILD_ENV.lock().unwrap_or_else(|e| e.into_inner());
    env.retain(|(k, _)| k != key);
    env.push((key.to_owned(), value.into()));
}

/// A variable as the programs this tool starts see it: set here with
/// [`set_child_env`], else inherited.
pub fn var_os(key: &str) -> Option<OsString> {
    let env = CHILD_ENV.lock().unwrap_or_else(|e| e.into_inner());
    env.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .or_else(|| std::env::var_os(key))
}

/// Runs every command from the workspace root, with `~/.cargo/bin` (where
/// `cargo install` puts mdbook and cargo-nextest) and `~/.local/bin` (where
/// pip puts a user's tools) on PATH.
pub fn enter_root() -> Result<()> {
    std::env::set_current_dir(root()).context("cannot enter the workspace")?;
    if let Some(home) = std::env::var_os("HOME") {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
        for bin in [".local/bin", ".cargo/bin"] {
            let bin = PathBuf::from(&home).join(bin);
            if !dirs.contains(&bin) {
                dirs.insert(0, bin);
            }
        }
        set_child_env("PATH", std::env::join_paths(dirs)?);
    }
    Ok(())
}

/// Whether this is a CI run (`CI=true`): then nothing may be skipped.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A prerequisite is missing: a failure in CI, a printed skip elsewhere.
pub fn skip(what: &str, why: &str) -> Result<()> {
    if is_ci() {
        bail!("{what} cannot run: {why}, and CI=true: CI must run it");
    }
    println!("skipped: {what}: {why}");
    Ok(())
}

/// Prints a step's title the way every command does.
pub fn step(title: &str) {
    println!("\n=== {title} ===");
}

/// `program args…` as one Command, with the children's environment
/// ([`set_child_env`]). A PATH set there is also where `program` is looked
/// for.
pub fn cmd(line: &[&str]) -> Command {
    let mut c = Command::new(line[0]);
    c.args(&line[1..]);
    let env = CHILD_ENV.lock().unwrap_or_else(|e| e.into_inner());
    c.envs(env.iter().map(|(k, v)| (k, v)));
    c
}

/// Runs a command with inherited output; fails if it fails.
pub fn exec(mut c: Command) -> Result<()> {
    let shown = show(&c);
    let status = c
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Runs a command and returns whether it succeeded and everything it
/// printed, stdout and stderr merged in order (cargo's `Running …` lines
/// on stderr stay before the test lines on stdout). Output is not echoed.
pub fn capture(c: Command) -> Result<(bool, String)> {
    merged(c, false)
}

/// The command line, for messages.
pub fn show(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Whether `program` is on PATH.
pub fn have(program: &str) -> bool {
    var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|d| d.join(program).is_file())
    })
}

/// Installs Debian packages (as root, or with sudo).
pub fn apt_install(packages: &[&str]) -> Result<()> {
    if !have("apt-get") {
        bail!(
            "{} missing and no apt-get here: install it",
            packages.join(" ")
        );
    }
    let sudo = !is_root();
    let mut update = if sudo {
        cmd(&["sudo", "apt-get"])
    } else {
        cmd(&["apt-get"])
    };
    update.args(["update", "-qq"]);
    exec(update)?;
    let mut install = if sudo {
        cmd(&["sudo", "env"])
    } else {
        cmd(&["env"])
    };
    install.args([
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
    ]);
    install.args(packages);
    exec(install)
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            == Some("0")
    })
}

/// Whether a Docker engine answers.
pub fn docker_ok() -> bool {
    have("docker")
        && cmd(&["docker", "info"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// The container listings use the PostgreSQL and Redis images built from
/// Debian packages (ci/images/build-postgres, build-redis) when they exist
/// and nothing else was chosen: this machine kind reaches no image registry.
pub fn use_local_image() {
    if var_os("POSTGRES_IMAGE").is_some() || !docker_ok() {
        return;
    }
    let found = cmd(&["docker", "image", "inspect", "local/postgres:15"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        set_local_image();
    }
}

/// The locally built PostgreSQL and Redis images, for every program
/// started from now.
pub fn set_local_image() {
    set_child_env("POSTGRES_IMAGE", "local/postgres");
    set_child_env("POSTGRES_TAG", "15");
    set_child_env("REDIS_IMAGE", "local/redis");
    set_child_env("REDIS_TAG", "7");
}

/// A check found `found` of `what`; below `min` it has checked nothing
/// worth the name, and fails.
pub fn at_least(what: &str, found: usize, min: usize) -> Result<()> {
    if found < min {
        bail!("found {found} {what}, expected at least {min}");
    }
    Ok(())
}

/// Runs a command, echoing its output line by line as it comes, and
/// returns whether it succeeded and everything it printed (stdout and
/// stderr, merged through one pipe so their order is kept).
pub fn tee(c: Command) -> Result<(bool, String)> {
    merged(c, true)
}

fn merged(mut c: Command, echo: bool) -> Result<(bool, String)> {
    use std::io::{BufRead, BufReader};
    let shown = show(&c);
    let (reader, writer) = std::io::pipe()?;
    let mut child = c
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer)
        .spawn()
        .with_context(|| format!("cannot start {shown}"))?;
    // The parent's copies of the writer are gone (moved into the Command,
    // dropped with it below), so the reader ends when the child does.
    drop(c);
    let mut all = String::new();
    for line in BufReader::new(reader).lines() {
        let line = line.unwrap_or_default();
        if echo {
            println!("{line}");
        }
        all.push_str(&line);
        all.push('\n');
    }
    let status = child.wait()?;
    Ok((status.success(), all))
}
