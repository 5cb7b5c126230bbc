//! `cargo xtask flaky --runs N [CARGO TEST ARGS] [-- TEST ARGS]`: runs the
//! suite N times on the same build, with no retries, and names every test
//! that failed, with the runs it failed in. A test that fails one run in
//! twenty is a bug in the test or in the code, and this finds it. At the
//! end, it checks the runs left nothing behind (`cargo xtask leftovers`).
//!
//! Each run gets `XTASK_RUN=<n>` in its environment (the self-test's
//! planted flaky test uses it). Exit status: 0 when every run passed.
//!
//! - `cargo xtask flaky --runs 20` (the whole workspace)
//! - `cargo xtask flaky --runs 50 -p user-service -- flaky::`

use std::{collections::BTreeMap, time::Instant};

use anyhow::{Result, bail};

use crate::{leftovers, libtest, util};

#[derive(clap::Args)]
pub struct Args {
    /// How many runs.
    #[arg(long, value_name = "N", default_value_t = 20)]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// cargo test's arguments (default: --workspace), then `--` and the
    /// test binaries' arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    #[arg(value_name = "CARGO TEST ARGS")]
    args: Vec<String>,
}

pub fn run(args: Args) -> Result<()> {
    let runs = args.runs as usize;
    let (mut cargo_args, test_args) = cargo_and_test_args(args);
    if cargo_args.is_empty() {
        cargo_args.push("--workspace".into());
    }
    util::use_local_image();
    let suite = format!(
        "cargo test {}{}",
        cargo_args.join(" "),
        if test_args.is_empty() {
            String::new()
        } else {
            format!(" -- {}", test_args.join(" "))
        }
    );
    let before = leftovers::snapshot();
    println!(
        "flaky: building once: cargo test {} --no-run",
        cargo_args.join(" ")
    );
    let mut build = util::cmd(&["cargo", "test", "--no-run"]);
    build.args(&cargo_args);
    let (ok, out) = util::capture(build)?;
    if !ok {
        bail!("the suite does not build:\n{}", tail(&out, 40));
    }
    let mut failed_in: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut failed_runs = 0;
    for n in 1..=runs {
        let Some(failures) = run_once(n, runs, &cargo_args, &test_args)? else {
            continue;
        };
        failed_runs += 1;
        for name in failures {
            failed_in.entry(name).or_default().push(n);
        }
    }
    leftovers::check(&before)?;
    if failed_runs == 0 {
        println!("flaky: {runs} runs of `{suite}`, 0 failed");
        return Ok(());
    }
    println!("tests that failed at least once:");
    for (name, in_runs) in &failed_in {
        let list: Vec<String> = in_runs.iter().map(|r| r.to_string()).collect();
        println!(
            "  {name}: failed in {} of {runs} runs (runs {})",
            in_runs.len(),
            list.join(", ")
        );
    }
    bail!(
        "{runs} runs of `{suite}`: {failed_runs} failed; {} tests failed at \
         least once",
        failed_in.len()
    )
}

/// Runs the suite once (run `n` of `runs`) and prints how it went; returns
/// `None` if it passed, else the names of the tests that failed.
fn run_once(
    n: usize,
    runs: usize,
    cargo_args: &[String],
    test_args: &[String],
) -> Result<Option<Vec<String>>> {
    let started = Instant::now();
    let mut c = util::cmd(&["cargo", "test", "--no-fail-fast"]);
    c.args(cargo_args).arg("--").args(test_args);
    c.env("XTASK_RUN", n.to_string()).env("RUST_BACKTRACE", "0");
    let (ok, out) = util::capture(c)?;
    let secs = started.elapsed().as_secs_f64();
    if out.contains("error: could not compile") {
        bail!(
            "run {n}: the code changed during the hunt and no longer \
             builds; a flaky test fails on the *same* code: rerun on a \
             tree nobody is editing"
        );
    }
    let result = libtest::parse_libtest(&out);
    if ok {
        println!(
            "run {n}/{runs}: passed, {} tests ({secs:.1} s)",
            result.passed
        );
        return Ok(None);
    }
    let names: Vec<String> = result
        .failures()
        .map(|o| format!("{}: {}", o.binary, o.name))
        .collect();
    println!("run {n}/{runs}: FAILED ({secs:.1} s)");
    if names.is_empty() {
        println!("{}", tail(&out, 30));
        let crash = "(no test named: a crash or a build failure)";
        return Ok(Some(vec![crash.into()]));
    }
    for name in &names {
        println!("    {name}");
    }
    Ok(Some(names))
}

/// `[cargo args…] [-- test args…]` → (cargo args, test args).
pub fn cargo_and_test_args(args: Args) -> (Vec<String>, Vec<String>) {
    let mut args = args.args;
    match args.iter().position(|a| a == "--") {
        Some(i) => {
            let test_args = args.split_off(i + 1);
            args.pop();
            (args, test_args)
        }
        None => (args, Vec::new()),
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
