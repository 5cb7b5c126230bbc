//! `cargo xtask take-home`: proves a reader can take `listings/testdb`
//! home. It writes a scratch cargo project outside the workspace, with its
//! own migrations and the test the chapter "Using testdb in your project"
//! shows, depending on testdb by path; runs it under `cargo test` and
//! `cargo nextest run`; then checks that nothing is left: no cluster
//! directory, no server, and (with `DATABASE_URL`) no used database.
//!
//! The scratch project builds into `target/take-home`, so it never waits on
//! (or invalidates) the main build. Its cluster lives in a directory of its
//! own (`TESTDB_RUNTIME_DIR`), so other test runs can't keep it alive.

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

use crate::util;

/// testdb's linger (3 s), the keeper's clean-up, and a busy machine.
const SETTLE: Duration = Duration::from_secs(30);

pub fn run(_args: &[String]) -> Result<()> {
    let root = util::root();
    let scratch =
        std::env::temp_dir().join(format!("take-home-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    write_project(&root, &scratch)?;
    let runtime = scratch.join("run");
    fs::create_dir(&runtime)?;
    // The server's user (postgres, when this runs as root) must enter it.
    fs::set_permissions(&runtime, fs::Permissions::from_mode(0o1777))?;

    let manifest = scratch.join("Cargo.toml");
    let manifest = manifest.to_str().context("a UTF-8 temp path")?;
    let target = root.join("target/take-home");
    for line in [
        vec!["cargo", "test", "--manifest-path", manifest],
        vec!["cargo", "nextest", "run", "--manifest-path", manifest],
    ] {
        util::step(&line.join(" "));
        let mut command = util::cmd(&line);
        command
            .env("CARGO_TARGET_DIR", &target)
            .env("TESTDB_RUNTIME_DIR", &runtime);
        util::exec(command)?;
    }
    util::step("nothing left behind");
    wait_until_gone(&runtime)?;
    no_used_databases()?;
    fs::remove_dir_all(&scratch)?;
    println!("take-home: passed under cargo test and cargo nextest run");
    Ok(())
}

/// The reader's project: a manifest, a lock file (the workspace's, so the
/// same versions resolve offline), migrations, and one test file.
fn write_project(root: &Path, scratch: &Path) -> Result<()> {
    let testdb = root.join("listings/testdb");
    fs::create_dir_all(scratch.join("tests"))?;
    fs::create_dir_all(scratch.join("example_migrations"))?;
    fs::create_dir_all(scratch.join("src"))?;
    fs::write(scratch.join("src/lib.rs"), "")?;
    fs::write(
        scratch.join("Cargo.toml"),
        format!(
            r#"[package]
name = "take-home"
version = "0.1.0"
edition = "2024"
publish = false

[dev-dependencies]
testdb = {{ path = "{}" }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}
sqlx = {{ version = "0.8", default-features = false, features = [
    "runtime-tokio", "postgres", "migrate", "macros",
] }}

# A workspace of its own: not a member of anything around it.
[workspace]
"#,
            testdb.display()
        ),
    )?;
    fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock"))?;
    for entry in fs::read_dir(testdb.join("example_migrations"))? {
        let entry = entry?;
        fs::copy(
            entry.path(),
            scratch.join("example_migrations").join(entry.file_name()),
        )?;
    }
    fs::copy(
        testdb.join("tests/lifecycle/in_your_project.rs"),
        scratch.join("tests/signup.rs"),
    )?;
    Ok(())
}

/// The cluster directory and its server must go once the runs are over.
fn wait_until_gone(runtime: &Path) -> Result<()> {
    let deadline = Instant::now() + SETTLE;
    loop {
        let dirs: Vec<PathBuf> =
            fs::read_dir(runtime)?.flatten().map(|e| e.path()).collect();
        let (ok, servers) = util::capture(util::cmd(&[
            "pgrep",
            "-af",
            &runtime.to_string_lossy(),
        ]))?;
        let servers = if ok { servers } else { String::new() };
        if dirs.is_empty() && servers.trim().is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "after {} s, the scratch runs left: {dirs:?}; servers: {}",
                SETTLE.as_secs(),
                servers.trim()
            );
        }
        std::thread::sleep(Duration::from_millis(100)); // polling interval
    }
}

/// With `DATABASE_URL`, no database a test used or kept is left (the
/// template and clean clones of it are the stock the next run reuses).
fn no_used_databases() -> Result<()> {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        return Ok(());
    };
    let sql = "SELECT string_agg(datname, ' ') FROM pg_database \
               WHERE datname LIKE 'testdb\\_%' \
               AND shobj_description(oid, 'pg_database') IS NOT NULL";
    let (ok, out) = util::capture(util::cmd(&["psql", &url, "-Atc", sql]))?;
    if !ok || !out.trim().is_empty() {
        bail!("used databases left on DATABASE_URL: {}", out.trim());
    }
    Ok(())
}
