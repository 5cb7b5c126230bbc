//! `cargo xtask ci`: the whole CI run, what `.ci/run` calls.
//!
//! - `cargo xtask ci`             every step, in order
//! - `cargo xtask ci --list`      the steps' names
//! - `cargo xtask ci STEP…`       only the named steps (a local shortcut)
//!
//! Nothing is skipped silently: a step that cannot run says so and why, and
//! with CI=true a missing prerequisite fails the run instead.

use std::time::Instant;

use anyhow::{Result, bail};

use crate::util::{self, cmd, exec as sh};

/// What the steps share.
pub struct Ctx {
    pub docker: bool,
}

type StepFn = fn(&mut Ctx) -> Result<()>;

/// Every step, in the order CI runs them.
const STEPS: &[(&str, &str, StepFn)] = &[
    ("tools", "tools (installed when missing)", tools),
    ("image", "container image (built from Debian packages)", image),
    ("fmt", "cargo fmt --all --check", fmt),
    (
        "clippy",
        "cargo clippy --workspace --all-targets -- -D warnings",
        clippy,
    ),
];

pub fn run(args: &[String]) -> Result<()> {
    if args.iter().any(|a| a == "--list") {
        for (name, title, _) in STEPS {
            println!("{name:<12} {title}");
        }
        return Ok(());
    }
    for a in args {
        if !STEPS.iter().any(|(name, ..)| name == a) {
            bail!("no step `{a}` (cargo xtask ci --list)");
        }
    }
    let mut ctx = Ctx { docker: util::docker_ok() };
    let started = Instant::now();
    let mut times = Vec::new();
    for (name, title, step) in STEPS {
        if !args.is_empty() && !args.iter().any(|a| a == name) {
            continue;
        }
        util::step(title);
        let t = Instant::now();
        step(&mut ctx).map_err(|e| e.context(format!("step `{name}`")))?;
        times.push((*name, t.elapsed().as_secs_f64()));
    }
    println!("\n=== step times ===");
    for (name, secs) in &times {
        println!("{name:<12} {secs:>7.1} s");
    }
    println!(
        "\ncargo xtask ci: {} steps passed in {:.0} s",
        times.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn tools(_: &mut Ctx) -> Result<()> {
    crate::tools::run(&[])
}

fn image(ctx: &mut Ctx) -> Result<()> {
    if !ctx.docker {
        return util::skip(
            "the container image",
            "no Docker engine reachable (start Docker, or set DOCKER_HOST)",
        );
    }
    sh(cmd(&["ci/images/build-postgres"]))?;
    // SAFETY: steps run one after another on the main thread.
    unsafe {
        std::env::set_var("POSTGRES_IMAGE", "local/postgres");
        std::env::set_var("POSTGRES_TAG", "15");
    }
    Ok(())
}

fn fmt(_: &mut Ctx) -> Result<()> {
    sh(cmd(&["cargo", "fmt", "--all", "--check"]))
}

fn clippy(_: &mut Ctx) -> Result<()> {
    sh(cmd(&[
        "cargo",
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}
