//! Benchmarks whose tables the book shows (as measured outputs):
//!
//! - `cargo xtask bench-isolation [--json] [-n SAMPLES] [--test-ms MS]`:
//!   every isolation strategy of "Keeping tests apart", against testdb's
//!   throwaway cluster (or DATABASE_URL);
//! - `cargo xtask bench-spine`: the harness's fixed costs (cluster start,
//!   one per-test database, the first chapter's test as a process).
//!
//! The dev profile, like the tests: the timings are the server's work, and
//! it reuses what `cargo test` already built.

use anyhow::{Context, Result};

use crate::util;

pub fn isolation(args: &[String]) -> Result<()> {
    let mut c = util::cmd(&[
        "cargo",
        "run",
        "--quiet",
        "-p",
        "isolation",
        "--bin",
        "bench-isolation",
        "--",
    ]);
    c.args(args);
    util::exec(c)
}

pub fn spine(args: &[String]) -> Result<()> {
    // The first chapter's test binary, as cargo reports it.
    let (ok, out) = util::capture(util::cmd(&[
        "cargo",
        "test",
        "-p",
        "user-service",
        "--test",
        "api",
        "--no-run",
        "--message-format=json",
    ]))?;
    anyhow::ensure!(ok, "building the api test binary failed:\n{out}");
    let binary = out
        .lines()
        .filter_map(|l| l.split("\"executable\":\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .next_back()
        .context("cargo reported no test executable")?
        .to_string();
    let mut c = util::cmd(&[
        "cargo",
        "run",
        "--quiet",
        "-p",
        "user-service",
        "--example",
        "bench_spine",
        "--",
    ]);
    c.arg(binary).args(args);
    util::exec(c)
}
