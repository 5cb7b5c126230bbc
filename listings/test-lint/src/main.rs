//! `test-lint [--show-allowed] [--ignore-markers] [PATH…]`: lints the Rust
//! files under each PATH (default: the current directory) against the
//! before-merging checklist.
//!
//! Exit status: 0 when nothing unexpected was found, 1 when findings remain,
//! 2 when a file could not be parsed or read (the run can't vouch for it).

use std::{path::PathBuf, process::ExitCode};

use test_lint::{Options, Rule, lint_paths_with};

const USAGE: &str = "usage: test-lint [--show-allowed] [--ignore-markers]
                 [--assertion NAME]... [PATH...]

Reads every .rs file under each PATH (default: .) and reports test code that breaks
the before-merging checklist: fixed sleeps, unseeded randomness, URLs off this
machine, tests that assert nothing, #[ignore] without a reason.

  --show-allowed   also list the findings that a marker comment allows. On the lines
                   just before an item (fn, const, mod…), covering that item only:
                     // BROKEN ON PURPOSE: <why>             allows every rule
                     // test-lint: allow(<rule-id>) -- <why>  allows that rule
  --ignore-markers report every finding as if no marker comment were there:
                   to review what the markers allow, or to see the findings
                   the book's fixtures stand for
  --assertion NAME a function or method NAME fails the test when its check fails
                   (your own helpers: a polling `until`, a custom assert); repeatable";

fn main() -> ExitCode {
    let mut show_allowed = false;
    let mut ignore_markers = false;
    let mut options = Options::default();
    let mut roots = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--show-allowed" => show_allowed = true,
            "--ignore-markers" => ignore_markers = true,
            "--assertion" => match args.next() {
                Some(name) => options.assertion_fns.push(name),
                None => {
                    eprintln!(
                        "test-lint: --assertion needs a function name, e.g. --assertion until\n\n{USAGE}"
                    );
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            flag if flag.starts_with('-') => {
                eprintln!("test-lint: unknown option {flag}\n\n{USAGE}");
                return ExitCode::from(2);
            }
            path => roots.push(PathBuf::from(path)),
        }
    }
    if roots.is_empty() {
        roots.push(PathBuf::from("."));
    }
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
