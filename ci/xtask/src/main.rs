//! `cargo xtask <command>`: the book's machinery in one tool.
//!
//! Each command is a module `src/<command>.rs` with
//! `pub fn run(args: &[String]) -> anyhow::Result<()>`, and one line in
//! [`COMMANDS`]. See CONTRIBUTING.md, "The toolbox".

use std::process::ExitCode;

mod libtest;
mod rust;
mod util;

mod bench;
mod bench_runners;
mod book;
mod broken;
mod census;
mod ci;
mod exercises;
mod flaky;
mod handout;
mod leftovers;
mod lint;
mod outputs;
mod schedule;
mod serve;
mod spelling;
mod take_home;
mod tools;
mod warm_up;
mod workflows;

type Run = fn(&[String]) -> anyhow::Result<()>;

/// Every command: its name, its function, one line of help.
const COMMANDS: &[(&str, Run, &str)] = &[
    ("exercises", exercises::run, "starters fail, solutions pass"),
    (
        "handout",
        handout::run,
        "student and instructor PDFs, starter bundle",
    ),
    (
        "schedule",
        schedule::run,
        "course timetables from the minutes markers",
    ),
    (
        "warm-up",
        warm_up::run,
        "before a course: build, say what is missing",
    ),
    ("ci", ci::run, "the whole CI run (what .ci/run calls)"),
    (
        "bench-isolation",
        bench::isolation,
        "isolation strategies, timed",
    ),
    (
        "bench-runners",
        bench_runners::run,
        "cargo test and nextest over the workspace, timed",
    ),
    ("book", book::run, "mdbook build (once) and mdbook test"),
    ("browser", book::browser, "walk the built book in Chromium"),
    (
        "broken",
        broken::run,
        "broken listings: each proven and fixed",
    ),
    (
        "census",
        census::run,
        "tests by kind, timed (--write: the book's table)",
    ),
    (
        "flaky",
        flaky::run,
        "--runs N: rerun the suite, name flaky tests",
    ),
    (
        "leftovers",
        leftovers::run,
        "no cluster, server, database, container left",
    ),
    (
        "lint",
        lint::run,
        "test-lint over the workspace's own tests",
    ),
    (
        "outputs",
        outputs::run,
        "regenerate shown outputs (--check: compare)",
    ),
    (
        "spelling",
        spelling::run,
        "typos over the book and the code",
    ),
    ("workflows", workflows::run, "lint ci/github/*.yml offline"),
    (
        "take-home",
        take_home::run,
        "testdb in a scratch project: cargo test, nextest",
    ),
    (
        "serve",
        serve::run,
        "install mdbook if needed, build, serve the book",
    ),
    (
        "tools",
        tools::run,
        "install mdbook, PostgreSQL, cargo-nextest if missing",
    ),
];

fn usage() -> String {
    let mut text = String::from("usage: cargo xtask <command> [args]\n\n");
    for (name, _, help) in COMMANDS {
        text.push_str(&format!("  {name:<16} {help}\n"));
    }
    text
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, rest)) = args.split_first() else {
        eprint!("{}", usage());
        return ExitCode::from(2);
    };
    let Some((_, run, _)) = COMMANDS.iter().find(|(n, ..)| n == name) else {
        eprint!("xtask: no command `{name}`\n\n{}", usage());
        return ExitCode::from(2);
    };
    if let Err(e) = util::enter_root() {
        eprintln!("xtask: {e:#}");
        return ExitCode::FAILURE;
    }
    match run(rest) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {name}: {e:#}");
            ExitCode::FAILURE
        }
    }
}
