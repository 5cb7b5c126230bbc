//! `cargo xtask census [--write | --list]`: how many tests of each kind the
//! workspace has, and how long each kind takes, as a Markdown table.
//!
//! - unit: tests inside `src/` (`cargo test --lib --bins`);
//! - integration: tests in `tests/` that drive the code in-process or over
//!   loopback (the app, a throwaway database, stubs);
//! - whole-process: tests in `tests/` whose body starts one of the
//!   workspace's binaries (read with syn: `CARGO_BIN_EXE_…`, a
//!   `…Process::spawn`, a `spawn_worker…` helper).
//!
//! Only the listings' crates (`listings/*`) are counted: the book's own
//! checks and tools (tests/, ci/) are not what the chapter is about.
//! Times are wall-clock for the whole kind with everything built first
//! (not counted). With `--write`, the table goes to the file the "How
//! many" chapter includes; `--list` only names the whole-process tests.

// OUTPUT(measured): /listings/user-service/output/test-census.md \
//   $ cargo xtask census --write
// (A measurement: timings differ from run to run, so CI checks that the
// file starts with its command instead of comparing it.)

use std::{collections::BTreeMap, time::Instant};

use anyhow::{Result, bail};

use crate::{libtest, rust, util};

const OUTPUT: &str = "listings/user-service/output/test-census.md";

/// (passed, ignored, seconds) of one `cargo test` run.
fn timed(args: &[String]) -> Result<(usize, usize, f64)> {
    let mut c = util::cmd(&["cargo", "test", "--quiet"]);
    c.args(args).env("RUST_BACKTRACE", "0");
    let started = Instant::now();
    let (ok, out) = util::capture(c)?;
    let secs = started.elapsed().as_secs_f64();
    if !ok {
        let tail: Vec<&str> = out.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!(
            "`cargo test {}` failed; fix the suite first:\n{}",
            args.join(" "),
            tail.join("\n")
        );
    }
    let run = libtest::parse_libtest(&out);
    Ok((run.passed, run.ignored, secs))
}

/// `cargo test --no-run` with a timed run's cargo arguments (those before
/// `--`), so that the timed run starts with nothing left to build.
fn build_first(args: &[String]) -> Result<()> {
    let cargo_args = args.iter().take_while(|a| *a != "--");
    let mut c = util::cmd(&["cargo", "test", "--no-run", "--quiet"]);
    c.args(cargo_args);
    util::exec(c)
}

/// `-p <name>` for every crate under listings/.
fn listing_packages(root: &std::path::Path) -> Result<Vec<String>> {
    let mut args = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(root.join("listings"))?
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let manifest: toml::Table = text.parse()?;
        if let Some(name) = manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
        {
            args.extend(["-p".to_string(), name.to_string()]);
        }
    }
    Ok(args)
}

#[derive(clap::Args)]
pub struct Args {
    /// Also write the table to the file the "How many" chapter includes.
    #[arg(long, conflicts_with = "list")]
    write: bool,
    /// Only name the whole-process tests; run nothing.
    #[arg(long)]
    list: bool,
}

/// Whole-process tests, by (package, test binary).
type Whole = BTreeMap<(String, String), Vec<String>>;

pub fn run(args: Args) -> Result<()> {
    let root = util::root();
    let packages = listing_packages(&root)?;
    util::use_local_image();
    let whole = whole_process_tests(&root)?;
    if args.list {
        for ((package, binary), names) in &whole {
            for n in names {
                println!("whole-process: {package} --test {binary} {n}");
            }
        }
        return Ok(());
    }
    let table = measure(&packages, &whole)?;
    let names: Vec<&str> =
        whole.values().flatten().map(String::as_str).collect();
    print!("{table}");
    println!("\nwhole-process tests: {}", names.join(", "));
    util::at_least("whole-process tests", names.len(), 1)?;
    if args.write {
        std::fs::write(root.join(OUTPUT), &table)?;
        println!("written to {OUTPUT}");
    }
    Ok(())
}

/// The tests whose body starts one of the workspace's binaries.
fn whole_process_tests(root: &std::path::Path) -> Result<Whole> {
    let mut whole = Whole::new();
    for t in rust::workspace_tests(root)? {
        if let mdbook_listings::target::Kind::Test(binary) = &t.target.kind
            && t.item.spawns_binary
        {
            whole
                .entry((t.target.package.clone(), binary.clone()))
                .or_default()
                .push(t.path.clone());
        }
    }
    Ok(whole)
}

/// Times each kind of test (everything built first) and returns the table.
fn measure(packages: &[String], whole: &Whole) -> Result<String> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut unit_args = packages.to_vec();
    unit_args.extend(s(&["--lib", "--bins"]));
    let mut integration_args = packages.to_vec();
    integration_args.extend(s(&["--test", "*", "--"]));
    for n in whole.values().flatten() {
        integration_args.extend(["--skip".to_string(), n.clone()]);
    }
    let mut whole_args = Vec::new();
    for ((package, binary), names) in whole {
        let mut a = s(&["-p", package, "--test", binary, "--", "--exact"]);
        a.extend(names.iter().cloned());
        whole_args.push(a);
    }
    // Each timed command is built first with its own arguments: a set of
    // `-p`s resolves features differently from `--workspace`, so building
    // the workspace would leave the first timed run compiling.
    eprintln!("census: building what each run needs first (not timed)…");
    for args in [&unit_args, &integration_args]
        .into_iter()
        .chain(&whole_args)
    {
        build_first(args)?;
    }
    let unit = timed(&unit_args)?;
    let integration = timed(&integration_args)?;
    let mut wp = (0, 0, 0.0);
    for a in &whole_args {
        let (p, i, t) = timed(a)?;
        wp = (wp.0 + p, wp.1 + i, wp.2 + t);
    }
    table(&[
        ("unit", unit),
        ("integration", integration),
        ("whole-process", wp),
    ])
}

/// The Markdown table of (kind, (passed, ignored, seconds)).
fn table(kinds: &[(&str, (usize, usize, f64))]) -> Result<String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let date = util::capture(util::cmd(&["date", "+%Y-%m-%d"]))?.1;
    let mut table = format!(
        "`$ cargo xtask census --write` (measured {} on {cores} cores, \
         everything built first)\n\n",
        date.trim()
    );
    table.push_str(
        "| kind | tests run | ignored (run by another test, or exercises) \
         | wall time | per test |\n| --- | ---: | ---: | ---: | ---: |\n",
    );
    for &(kind, (passed, ignored, secs)) in kinds {
        let per = if passed > 0 {
            format!("{:.0} ms", secs / passed as f64 * 1000.0)
        } else {
            "–".into()
        };
        table.push_str(&format!(
            "| {kind} | {passed} | {ignored} | {secs:.1} s | {per} |\n"
        ));
    }
    Ok(table)
}
