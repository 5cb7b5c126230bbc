//! `cargo xtask warm-up`: what a student runs once before the course.
//!
//! Downloads every crate, builds the test binaries that hold the
//! exercises, checks for what the tests need (PostgreSQL's server binaries
//! or a `DATABASE_URL`, Docker for one chapter), runs one known-good test
//! against the database, and says in plain words what is missing and how to
//! get it. It installs nothing: `src/setup.md` says what to install.

use anyhow::{Result, bail};

use crate::{
    exercises,
    util::{self, capture, cmd, exec as sh},
};

/// The oldest Rust that builds the workspace: the highest `rust-version`
/// declared in Cargo.lock (uuid 1.29 asks for 1.89; the code's `let`
/// chains need 1.88). See `src/setup.md`.
pub const MIN_RUST: (u32, u32) = (1, 89);

/// The test that proves the database route works end to end. Not an
/// exercise solution: the student bundle leaves those out, and the warm-up
/// must pass there (`cargo xtask handout --check-bundle` proves it does).
pub const PROOF: (&str, &str, &str) = (
    "user-service",
    "api",
    "exercises::warm_up::\
     the_app_starts_on_a_fresh_database_and_accepts_a_sign_up",
);

pub fn run() -> Result<()> {
    if cfg!(windows) {
        bail!(
            "this is Windows outside WSL2. The tests start PostgreSQL and use \
             Unix sockets, so they run in Linux: install WSL2 (`wsl --install` \
             in an administrator PowerShell, then Ubuntu), clone the book \
             inside it, and run `cargo xtask warm-up` there (src/setup.md)"
        );
    }
    let mut missing: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    rust_and_c(&mut missing);
    if !missing.is_empty() {
        return report(&missing, &notes);
    }
    util::step("downloading every crate (cargo fetch)");
    if sh(cmd(&["cargo", "fetch", "--locked"])).is_err() {
        missing.push(
            "cargo could not download the crates: check the network or the \
             proxy (HTTPS_PROXY), then run the warm-up again"
                .into(),
        );
        return report(&missing, &notes);
    }
    build_exercises(&mut missing)?;
    let database = database(&mut missing);
    docker(&mut notes);
    if database && missing.is_empty() {
        proof(&mut missing);
    }
    report(&missing, &notes)
}

/// A recent enough Rust, and a C compiler.
fn rust_and_c(missing: &mut Vec<String>) {
    util::step("Rust");
    match rust_version() {
        Some(v) if v >= MIN_RUST => println!("ok: Rust 1.{}", v.1),
        Some(v) => missing.push(format!(
            "Rust 1.{} is too old: the book needs 1.{} or newer \
             (`rustup update stable`)",
            v.1, MIN_RUST.1
        )),
        None => missing.push("`rustc --version` did not answer".into()),
    }
    if !["cc", "gcc", "clang"].iter().any(|c| util::have(c)) {
        missing.push(
            "no C compiler (cc): two dependencies build C code. Debian/\
             Ubuntu: apt install build-essential; Fedora: dnf install gcc; \
             macOS: xcode-select --install"
                .into(),
        );
    }
}

/// Builds every test binary that holds an exercise (the long part).
fn build_exercises(missing: &mut Vec<String>) -> Result<()> {
    util::step("building the exercises' test binaries (the long part)");
    // One cargo for all of them: it builds on both cores to the end, where
    // one cargo per binary would wait on each binary's link in turn. (A
    // package without one of the named binaries simply has none built.)
    let mut line = vec!["cargo", "test", "--no-run"];
    let list = exercises::find()?;
    for e in &list {
        let (p, b) = (["-p", &*e.package], ["--test", &*e.binary]);
        for pair in [p, b] {
            if !line.windows(2).any(|w| w == pair) {
                line.extend(pair);
            }
        }
    }
    println!("{}", line.join(" "));
    if let Err(e) = sh(cmd(&line)) {
        missing.push(format!("the exercises' tests did not build: {e:#}"));
    }
    Ok(())
}

/// Whether the tests will find a PostgreSQL server: DATABASE_URL, or the
/// server binaries (and perl, which stops the throwaway server).
fn database(missing: &mut Vec<String>) -> bool {
    util::step("a PostgreSQL server for the tests");
    if let Ok(url) = std::env::var("DATABASE_URL") {
        let shown = url.split('@').next_back().unwrap_or(&url);
        println!("ok: DATABASE_URL is set (…@{shown})");
        return true;
    }
    let Ok(dir) = crate::pg_bin_dir::find() else {
        missing.push(
            "no PostgreSQL: neither DATABASE_URL nor the server binaries \
             (initdb, pg_ctl) were found. Install them (Debian/Ubuntu: apt \
             install postgresql; Fedora: dnf install postgresql-server; \
             macOS: brew install postgresql@17 and put its bin/ on PATH) or \
             set DATABASE_URL (src/setup.md)"
                .into(),
        );
        return false;
    };
    println!("ok: initdb and pg_ctl in {}", dir.display());
    if !util::have("perl") {
        missing.push(
            "perl is missing: the harness uses it to stop the throwaway \
             server when the tests end (install perl)"
                .into(),
        );
    }
    true
}

/// Docker, which only the containers chapter needs: a note, not a miss.
fn docker(notes: &mut Vec<String>) {
    util::step("Docker (only the containers chapter needs it)");
    if util::docker_ok() {
        println!("ok: a Docker engine answers");
    } else {
        notes.push(
            "no Docker engine answers: every chapter works without it but \
             \"Real dependencies in containers\", whose tests will say \
             `skipped:` and whose exercise will fail asking for Docker"
                .into(),
        );
    }
}

/// Runs the one known-good test against the database.
fn proof(missing: &mut Vec<String>) {
    util::step("one known-good test, against the database");
    let (p, b, test) = PROOF;
    let mut c =
        cmd(&["cargo", "test", "-p", p, "--test", b, "--", "--exact", test]);
    c.env("RUST_BACKTRACE", "0");
    match capture(c) {
        Ok((true, out)) if out.contains("1 passed") => {
            println!("ok: {test} passed")
        }
        Ok((_, out)) => {
            // The panic message says what is wrong: the harness's own
            // words (no server, bad DATABASE_URL, missing rights).
            let why: Vec<&str> = out
                .lines()
                .skip_while(|l| !l.contains("panicked at"))
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .filter(|l| !l.starts_with("note:"))
                .take(8)
                .collect();
            missing.push(proof_failed(&why, &out));
        }
        Err(e) => missing.push(format!("cargo test did not start: {e:#}")),
    }
}

/// What to say when the proof test failed: its panic message, or, when
/// there was none (it did not build, or it was not found), the end of
/// cargo's output, so the line is never empty.
fn proof_failed(why: &[&str], out: &str) -> String {
    let (p, b, test) = PROOF;
    let said = if why.is_empty() {
        let lines: Vec<&str> = out.lines().collect();
        lines[lines.len().saturating_sub(12)..].join("\n  ")
    } else {
        why.join("\n  ")
    };
    format!(
        "a test known to pass failed on this machine (run it alone: cargo \
         test -p {p} --test {b} -- --exact {test}); it said:\n  {said}"
    )
}

fn report(missing: &[String], notes: &[String]) -> Result<()> {
    util::step("warm-up");
    for n in notes {
        println!("note: {n}");
    }
    if missing.is_empty() {
        println!("ready for the course: everything is built and one test ran");
        return Ok(());
    }
    for m in missing {
        println!("missing: {m}");
    }
    bail!(
        "not ready yet: fix what is listed above, then run \
         `cargo xtask warm-up` again"
    )
}

/// `rustc --version` → (1, 95).
fn rust_version() -> Option<(u32, u32)> {
    let (_, out) = capture(cmd(&["rustc", "--version"])).ok()?;
    let v = out.split_whitespace().nth(1)?;
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}
