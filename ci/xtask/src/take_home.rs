//! `cargo xtask take-home`: proves a reader can take testdb home as a
//! crate. It packages it (`cargo package -p testdb`: no path dependency,
//! nothing outside its folder) and lays out a scratch repository outside
//! the workspace as the chapter "Using testdb in your project" says: the
//! packaged crate, unpacked as `testdb/`, and a crate whose manifest takes
//! the chapter's own TOML lines, with the migrations and the test the
//! chapter shows, both taken from the package. It runs that
//! crate's tests under `cargo test` and `cargo nextest run`, then checks
//! that nothing is left: no cluster directory, no server, and (with
//! `DATABASE_URL`) no used database.
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

pub fn check() -> Result<()> {
    let root = util::root();
    let scratch =
        std::env::temp_dir().join(format!("take-home-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    let app = write_project(&root, &scratch)?;
    // In RAM where testdb's default is: on a disk's file system, a
    // cluster's thousands of files cost the server several times the CPU.
    let shm = Path::new("/dev/shm");
    let runtime = match shm.is_dir() {
        true => shm.join(format!("take-home-{}", std::process::id())),
        false => scratch.join("run"),
    };
    let _ = fs::remove_dir_all(&runtime);
    fs::create_dir(&runtime)?;
    // The server's user (postgres, when this runs as root) must enter it.
    fs::set_permissions(&runtime, fs::Permissions::from_mode(0o1777))?;

    let manifest = app.join("Cargo.toml");
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
    fs::remove_dir_all(&runtime)?;
    fs::remove_dir_all(&scratch)?;
    println!("take-home: passed under cargo test and cargo nextest run");
    Ok(())
}

/// The reader's repository, laid out as "Using testdb in your project"
/// says: `testdb/`, the crate as `cargo package` makes it, beside `app/`,
/// the crate whose tests use it. `app/Cargo.toml` is a package header plus
/// the chapter's own TOML blocks, read from the chapter, so what passes
/// here is what the chapter tells a reader to write. The lock file is the
/// workspace's, so the same versions resolve offline.
fn write_project(root: &Path, scratch: &Path) -> Result<PathBuf> {
    let testdb = unpack_package(root, scratch)?;
    let app = scratch.join("app");
    fs::create_dir_all(app.join("tests"))?;
    fs::create_dir_all(app.join("src"))?;
    fs::write(app.join("src/lib.rs"), "")?;
    let manifest = format!(
        "[package]\nname = \"take-home\"\nversion = \"0.1.0\"\n\
         edition = \"2024\"\npublish = false\n\n{}\n\
         # A workspace of its own: not a member of anything around it.\n\
         [workspace]\n",
        chapter_toml(root)?
    );
    fs::write(app.join("Cargo.toml"), manifest)?;
    fs::copy(root.join("Cargo.lock"), app.join("Cargo.lock"))?;
    copy_dir(
        &testdb.join("example_migrations"),
        &app.join("example_migrations"),
    )?;
    fs::copy(
        testdb.join("tests/lifecycle/in_your_project.rs"),
        app.join("tests/signup.rs"),
    )?;
    Ok(app)
}

/// `cargo package -p testdb`, unpacked as `scratch/testdb`. Building the
/// app below compiles the packaged crate, so its own verification build
/// (a second build of every dependency) is skipped.
fn unpack_package(root: &Path, scratch: &Path) -> Result<PathBuf> {
    util::step("cargo package -p testdb");
    let mut package = util::cmd(&[
        "cargo",
        "package",
        "-p",
        "testdb",
        "--no-verify",
        "--allow-dirty",
    ]);
    package.current_dir(root);
    util::exec(package)?;
    let version =
        util::capture(util::cmd(&["cargo", "pkgid", "-p", "testdb"]))?;
    let version = version.1.trim().rsplit(['@', '#']).next().unwrap_or("");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from);
    let file = target.join(format!("package/testdb-{version}.crate"));
    fs::create_dir_all(scratch)?;
    let mut tar = util::cmd(&["tar", "-xzf"]);
    tar.arg(&file).arg("-C").arg(scratch);
    util::exec(tar)?;
    let testdb = scratch.join("testdb");
    fs::rename(scratch.join(format!("testdb-{version}")), &testdb)?;
    Ok(testdb)
}

/// The TOML blocks of the chapter "Using testdb in your project": the
/// dependencies a reader adds (with `path = "../testdb"`) and the profile
/// it suggests.
fn chapter_toml(root: &Path) -> Result<String> {
    let chapter = root.join("src/using-testdb.md");
    let text = fs::read_to_string(&chapter)
        .with_context(|| format!("reading {}", chapter.display()))?;
    let blocks: Vec<String> = book_model::markdown::code_blocks(&text)
        .into_iter()
        .filter(|b| b.has("toml"))
        .map(|b| b.text)
        .collect();
    if !blocks.iter().any(|b| b.contains(r#"path = "../testdb""#)) {
        bail!(
            "{} has no TOML block with testdb = {{ path = \"../testdb\" }}: \
             the take-home check builds the reader's manifest from it",
            chapter.display()
        );
    }
    Ok(blocks.join("\n"))
}

/// A copy of a folder, without any build output in it.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let (source, dest) = (entry.path(), to.join(entry.file_name()));
        if entry.file_name() == "target" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            copy_dir(&source, &dest)?;
        } else {
            fs::copy(&source, &dest)?;
        }
    }
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
    // Template and stock stay for the next run; a test's clone may not.
    let sql = "SELECT string_agg(datname, ' ') FROM pg_database \
               WHERE datname LIKE 'testdb\\_%' AND datname NOT LIKE '%\\_tpl' \
               AND datname NOT LIKE '%\\_stock\\_%'";
    let (ok, out) = util::capture(util::cmd(&["psql", &url, "-Atc", sql]))?;
    if !ok || !out.trim().is_empty() {
        bail!("used databases left on DATABASE_URL: {}", out.trim());
    }
    Ok(())
}
