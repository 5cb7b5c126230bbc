//! `test-lint [--show-allowed] [--ignore-markers] [PATH…]`: lints the Rust
//! files under each PATH against the before-merging checklist (`--help`).

use std::{path::PathBuf, process::ExitCode};

use clap::Parser;
use test_lint::{Options, Rule, lint_paths_with};

/// Reports test code that breaks the before-merging checklist: fixed
/// sleeps, unseeded randomness, URLs off this machine, tests that assert
/// nothing, #[ignore] without a reason.
///
/// A marker comment on the lines just before an item (fn, const, mod…)
/// allows findings in that item only: `// BROKEN ON PURPOSE: <why>` allows
/// every rule, `// test-lint: allow(<rule-id>) -- <why>` that rule.
///
/// Exit status: 0 when nothing unexpected was found, 1 when findings
/// remain, 2 when a file could not be parsed or read (the run can't vouch
/// for it) or the command line could not be read.
#[derive(Parser)]
#[command(name = "test-lint")]
struct Cli {
    /// Also list the findings that a marker comment allows
    #[arg(long)]
    show_allowed: bool,
    /// Report every finding as if no marker comment were there: to review
    /// what the markers allow, or to see what the book's fixtures stand for
    #[arg(long)]
    ignore_markers: bool,
    /// A function or method that fails the test when its check fails (your
    /// own helpers: a polling `until`, a custom assert); repeatable
    #[arg(long = "assertion", value_name = "NAME")]
    assertions: Vec<String>,
    /// Rust files, or directories to read every .rs file under
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let Cli {
        show_allowed,
        ignore_markers,
        assertions,
        paths: roots,
    } = Cli::parse();
    let options = Options {
        assertion_fns: assertions,
    };
    if let Some(missing) = roots.iter().find(|r| !r.exists()) {
        eprintln!(
            "test-lint: {} does not exist; give a directory or file of Rust code",
            missing.display()
        );
        return ExitCode::from(2);
    }

    let mut report = match lint_paths_with(&roots, &options) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("test-lint: could not read the files: {error}");
            return ExitCode::from(2);
        }
    };

    // OUTPUT: output/sleeps-ignoring-markers.txt $ cargo run -q -p test-lint \
    // -- --ignore-markers listings/test-lint/tests/fixtures/sleeps.rs
    if ignore_markers {
        for finding in &mut report.findings {
            finding.allowed_by = None;
        }
    }

    for finding in report.unexpected() {
        println!("{finding}");
    }
    let allowed: Vec<_> = report.allowed().collect();
    if show_allowed {
        println!("allowed by a marker comment ({}):", allowed.len());
        for finding in &allowed {
            let marker = finding
                .allowed_by
                .as_ref()
                .expect("allowed findings have a marker");
            println!(
                "  {}:{}: [{}] in `{}`, marked on line {}: {}",
                finding.file.display(),
                finding.line,
                finding.rule.id(),
                marker.name,
                marker.marker_line,
                marker.comment
            );
        }
    }
    for (file, error) in &report.unparsed {
        eprintln!(
            "test-lint: could not parse {} ({error}); it was not checked. If it compiles, the parser (syn 2) is behind the compiler: please report it",
            file.display()
        );
    }

    let unexpected = report.unexpected().count();
    let per_rule: Vec<String> = Rule::ALL
        .iter()
        .map(|rule| {
            (
                rule,
                report.unexpected().filter(|f| f.rule == *rule).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .map(|(rule, n)| format!("{} {n}", rule.id()))
        .collect();
    println!(
        "test-lint: {} files, {unexpected} findings{}, {} allowed by a marker{}",
        report.files_scanned,
        if per_rule.is_empty() {
            String::new()
        } else {
            format!(" ({})", per_rule.join(", "))
        },
        allowed.len(),
        if show_allowed {
            ""
        } else {
            " (--show-allowed lists them)"
        }
    );

    if !report.unparsed.is_empty() {
        ExitCode::from(2)
    } else if unexpected > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
