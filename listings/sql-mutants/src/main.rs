//! `sql-mutants <crate dir> [--test-cmd CMD] [--build-cmd CMD] [--timeout SECS]
//! [--list]`: mutation testing for the SQL in a crate's string literals
//! (`--help`). See the library's documentation for what it does and how.

use std::{
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant},
};

use clap::Parser;
use sql_mutants::{report, run};

/// Mutation testing for the SQL in a crate's string literals: changes one
/// clause at a time and runs the crate's tests.
///
/// Mutants that can't change what the code does are listed, each with its
/// reason, in <CRATE_DIR>/sql-mutants-equivalent.txt: a line per mutant,
/// `<file>[:<line>]: <mutant as reported>`, its reason on `#` lines above.
/// They are reported `equiv` and not run.
///
/// Exit status: 0 when no mutant was missed, 2 when some were, 1 on error.
#[derive(Parser)]
#[command(name = "sql-mutants")]
struct Cli {
    /// The crate whose SQL is mutated
    crate_dir: PathBuf,
    /// Runs the tests
    #[arg(long, value_name = "CMD", default_value = "cargo test")]
    test_cmd: String,
    /// Builds them first; a mutant that fails it is unviable
    #[arg(long, value_name = "CMD", default_value = "cargo test --no-run")]
    build_cmd: String,
    /// Limit per run of the tests, in seconds (0.5: half a second; default:
    /// 5 x the unmutated run, at least 30)
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    timeout: Option<Duration>,
    /// Print the mutants, run nothing
    #[arg(long)]
    list: bool,
}

fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text.parse().map_err(|e| format!("{e}"))?;
    Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    // Exit status 2 means missed mutants: a bad command line is an error (1).
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let help = !e.use_stderr();
            return if help {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
    };
    match run_cli(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("sql-mutants: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_cli(cli: Cli) -> Result<ExitCode, String> {
    let config = run::Config {
        crate_dir: cli.crate_dir,
        build_cmd: cli.build_cmd,
        test_cmd: cli.test_cmd,
        timeout: cli.timeout,
        log_dir: std::env::temp_dir().join("sql-mutants"),
    };
    let list = cli.list;
    let src = config.crate_dir.join("src");
    for file in run::restore_leftovers(&src).map_err(|e| e.to_string())? {
        eprintln!("restored {} (left mutated by a killed run)", file.display());
    }
    let planned = run::plan(&config.crate_dir)?;
    if list {
        for p in &planned {
            let (file, line) = (p.shown_file.display(), p.line);
            let equiv = if p.equivalent { "  (equivalent)" } else { "" };
            println!("{file}:{line}  {}{equiv}", p.mutant.description);
        }
        return Ok(ExitCode::SUCCESS);
    }

    run::stop_on_signals();
    let started = Instant::now();
    let outcomes = run::run_all(&config, &planned)?;
    println!("{}", report::summary(&outcomes, started.elapsed()));
    let missed = outcomes.contains(&report::Outcome::Missed);
    Ok(if missed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
