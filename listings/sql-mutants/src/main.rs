//! `sql-mutants <crate dir> [--test-cmd CMD] [--build-cmd CMD] [--timeout SECS]
//! [--list]`: mutation testing for the SQL in a crate's string literals.
//! See the library's documentation for what it does and how.

use std::{
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant},
};

use sql_mutants::{report, run};

const USAGE: &str = "usage: sql-mutants <crate dir> [--test-cmd CMD] \
    [--build-cmd CMD] [--timeout SECS] [--list]

  --test-cmd CMD   runs the tests (default: cargo test)
  --build-cmd CMD  builds them first; a mutant that fails it is unviable
                   (default: cargo test --no-run)
  --timeout SECS   limit per run of the tests (0.5: half a second;
                   default: 5 x the unmutated run, at least 30)
  --list           print the mutants, run nothing

Mutants that can't change what the code does are listed, each with its
reason, in <crate dir>/sql-mutants-equivalent.txt: a line per mutant,
`<file>[:<line>]: <mutant as reported>`, its reason on `#` lines above.
They are reported `equiv` and not run.

Exit status: 0 when no mutant was missed, 2 when some were, 1 on error.";

fn main() -> ExitCode {
    match cli() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("sql-mutants: {message}");
            ExitCode::FAILURE
        }
    }
}

fn cli() -> Result<ExitCode, String> {
    let mut args = std::env::args().skip(1);
    let mut crate_dir = None;
    let mut config = run::Config {
        crate_dir: PathBuf::new(),
        build_cmd: "cargo test --no-run".into(),
        test_cmd: "cargo test".into(),
        timeout: None,
        log_dir: std::env::temp_dir().join("sql-mutants"),
    };
    let mut list = false;
    while let Some(arg) = args.next() {
        let mut value =
            || args.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--test-cmd" => config.test_cmd = value()?,
            "--build-cmd" => config.build_cmd = value()?,
            "--timeout" => {
                let secs: f64 =
                    value()?.parse().map_err(|e| format!("--timeout: {e}"))?;
                let limit = Duration::try_from_secs_f64(secs)
                    .map_err(|e| format!("--timeout {secs}: {e}"))?;
                config.timeout = Some(limit);
            }
            "--list" => list = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            _ if crate_dir.is_none() && !arg.starts_with('-') => {
                crate_dir = Some(arg)
            }
            _ => return Err(format!("unexpected argument {arg:?}\n{USAGE}")),
        }
    }
    config.crate_dir = PathBuf::from(crate_dir.ok_or(USAGE)?);

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
