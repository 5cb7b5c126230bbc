//! `cargo xtask <command>`: the book's machinery in one tool.
//!
//! Each command is a module `src/<command>.rs` and one variant of
//! [`Command`]; its doc comment, and those of its `Args`, are what
//! `cargo xtask <command> --help` prints. See CONTRIBUTING.md, "The toolbox".

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod libtest;
/// Where the PostgreSQL binaries are: testdb's own lookup, so a check
/// here can't disagree with the harness.
#[path = "../../../listings/testdb/src/bin_dir.rs"]
mod pg_bin_dir;
mod rust;
mod util;

mod bench;
mod bench_runners;
mod book;
mod broken;
mod census;
mod ci;
mod disk;
mod exercises;
mod features;
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

/// The book's machinery: its CI run, its generated outputs and tables,
/// its checks and the course's tools. Every command runs from the
/// workspace root.
#[derive(Parser)]
#[command(name = "xtask", bin_name = "cargo xtask")]
#[command(arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Every command, in the order `cargo xtask --help` lists them.
#[derive(Subcommand)]
enum Command {
    /// Starters fail, solutions pass
    ///
    /// Checks the exercises: every starter fails until solved, every solution
    /// passes, and the book shows both (a chapter the starter, the solutions
    /// appendix the solution). Prints the counts.
    Exercises(exercises::Args),
    /// Student and instructor PDFs, starter bundle
    ///
    /// Builds the course handouts into book/: the student and instructor PDFs
    /// (each read back and checked) and the starter bundle a student gets.
    Handout(handout::Args),
    /// Course timetables from the minutes markers
    ///
    /// Lays out the course timetables from the chapters' minutes markers,
    /// checks them against the rules, and rewrites the generated parts of
    /// src/running-the-course.md and src/setup.md.
    Schedule(schedule::Args),
    /// Before a course: build, say what is missing
    ///
    /// What a student runs once before the course: downloads every crate,
    /// builds the exercises' test binaries, looks for what the tests need
    /// (PostgreSQL's server binaries or DATABASE_URL, Docker for one chapter),
    /// runs one known-good test against the database, and says what is missing
    /// and how to get it. It installs nothing.
    WarmUp,
    /// The whole CI run (what .ci/run calls)
    ///
    /// Runs every step of CI in order, or only the named steps (a local
    /// shortcut). With CI=true, a step that cannot run (no Docker, no root for
    /// the loopback-only namespace, a missing tool) fails the run instead of
    /// being skipped.
    Ci(ci::Args),
    /// Isolation strategies, timed
    ///
    /// Times every isolation strategy of "Keeping tests apart" against testdb's
    /// throwaway cluster (or DATABASE_URL), as the book's table (`cargo run -p
    /// isolation --bin bench-isolation`).
    BenchIsolation(bench::Isolation),
    /// cargo test and nextest over the workspace, timed
    ///
    /// Times the workspace's tests (without the container tests) under `cargo
    /// test` and under `cargo nextest run`, everything built first; the runners
    /// take turns, and the table shows each one's median.
    BenchRunners(bench_runners::Args),
    /// mdbook build (once) and mdbook test
    ///
    /// Reads the book model (SUMMARY and chapters), then runs `mdbook build`
    /// once and `mdbook test`.
    Book(book::Args),
    /// Walk the built book in Chromium
    ///
    /// The built book (book/, built here when missing) walked page by page in
    /// Debian's Chromium, driven by Playwright (ci/browser-check.py).
    Browser,
    /// Broken listings: each proven and fixed
    ///
    /// Every listing marked broken on purpose is counted, proven to fail as the
    /// book says, and its fix (a FIXES marker) proven to pass; the checker's
    /// fixtures are counted too.
    Broken,
    /// Tests by kind, timed (--write: the book's table)
    ///
    /// Counts the listings' tests by kind (unit, integration, whole-process)
    /// and times each kind with everything built first, as a Markdown table.
    Census(census::Args),
    /// --runs N: rerun the suite, name flaky tests
    ///
    /// Runs the suite N times on the same build, with no retries, and names
    /// every test that failed, with the runs it failed in; then checks the runs
    /// left nothing behind. Each run gets XTASK_RUN=<n> in its environment.
    /// Exit status: 0 when every run passed.
    ///
    /// Examples: `cargo xtask flaky --runs 20` (the whole workspace); `cargo
    /// xtask flaky --runs 50 -p user-service -- flaky::`.
    Flaky(flaky::Args),
    /// No cluster, server, database, container left
    ///
    /// Fails if a test run left a testdb cluster directory, a PostgreSQL
    /// server, a database (with DATABASE_URL) or a container behind.
    Leftovers,
    /// test-lint over the workspace's own tests
    ///
    /// The checklist's checker (listings/test-lint) over the workspace's tests:
    /// fails on any finding no marker allows, and lists the allowed ones. On
    /// your own repository: `cargo run -p test-lint -- <dir>`.
    Lint,
    /// `cargo test -p X` builds nothing `--workspace` did not
    ///
    /// For each crate on ci/workspace-hack, checks that `cargo test -p
    /// <crate>` builds every dependency with the features `cargo test
    /// --workspace` used, so it builds nothing again; if not, prints the lines
    /// workspace-hack's Cargo.toml needs.
    Features,
    /// Regenerate shown outputs (--check: compare)
    ///
    /// Regenerates every output the book shows from the command its `OUTPUT`
    /// marker declares (CONTRIBUTING.md, "Generated outputs"), or only the
    /// FILEs named.
    Outputs(outputs::Args),
    /// Typos over the book and the code
    ///
    /// Checks the spelling of the book, its listings, tools and docs with
    /// typos; it flags known misspellings, not unknown words (the deliberate
    /// spellings are in _typos.toml).
    Spelling(spelling::Args),
    /// Lint ci/github/*.yml offline
    ///
    /// The GitHub Actions workflows the book ships, checked against their
    /// schema (check-jsonschema) and for security findings (zizmor), with no
    /// network.
    Workflows,
    /// testdb in a scratch project: cargo test, nextest
    ///
    /// Packages testdb, lays out a scratch project outside the workspace as the
    /// chapter "Using testdb in your project" says, runs its tests under cargo
    /// test and cargo nextest run, and checks nothing is left.
    TakeHome,
    /// Install mdbook if needed, build, serve the book
    ///
    /// Installs mdbook if needed, builds the book and serves it on
    /// http://127.0.0.1:3000 (the PORT variable to change), rebuilding on
    /// change.
    Serve(serve::Args),
    /// Install mdbook, PostgreSQL, cargo-nextest if missing
    ///
    /// Installs mdbook, PostgreSQL's server binaries and cargo-nextest,
    /// skipping what is there at the pinned version. The ci command's tools
    /// step also installs Chromium, poppler and the PyPI tools; every other
    /// command installs what it needs itself.
    Tools,
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Exercises(args) => exercises::run(args),
        Command::Handout(args) => handout::run(args),
        Command::Schedule(args) => schedule::run(args),
        Command::WarmUp => warm_up::run(),
        Command::Ci(args) => ci::run(args),
        Command::BenchIsolation(args) => bench::isolation(args),
        Command::BenchRunners(args) => bench_runners::run(args),
        Command::Book(args) => book::run(args),
        Command::Browser => book::walk_in_browser(),
        Command::Broken => broken::check_all(),
        Command::Census(args) => census::run(args),
        Command::Flaky(args) => flaky::run(args),
        Command::Leftovers => leftovers::check_none(),
        Command::Features => features::check(),
        Command::Lint => lint::check(),
        Command::Outputs(args) => outputs::run(args),
        Command::Spelling(args) => spelling::run(args),
        Command::Workflows => workflows::check(),
        Command::TakeHome => take_home::check(),
        Command::Serve(args) => serve::run(args),
        Command::Tools => tools::install(),
    }
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let name = matches.subcommand_name().unwrap_or_default().to_owned();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(e) = util::enter_root() {
        eprintln!("xtask: {e:#}");
        return ExitCode::FAILURE;
    }
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask {name}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &[&str]) -> Command {
        let mut args = vec!["xtask"];
        args.extend_from_slice(line);
        Cli::try_parse_from(args).expect("parses").command
    }

    /// Everything after `--runs N` goes to cargo test, `--` included, so
    /// the test binaries' arguments reach them.
    #[test]
    fn flaky_passes_cargo_and_test_arguments_on() {
        let Command::Flaky(args) = parse(&[
            "flaky", "--runs", "6", "-p", "xtask", "--", "--exact", "a",
        ]) else {
            panic!("not flaky");
        };
        assert_eq!(
            flaky::cargo_and_test_args(args),
            (
                vec!["-p".to_string(), "xtask".into()],
                vec!["--exact".to_string(), "a".into()]
            )
        );
    }

    /// `--help` after a command prints its help and runs nothing.
    #[test]
    fn help_after_a_command_is_help() {
        for command in ["outputs", "ci", "flaky", "serve", "warm-up"] {
            let err = Cli::try_parse_from(["xtask", command, "--help"])
                .err()
                .expect("help is not a command line");
            assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
        }
    }
}
