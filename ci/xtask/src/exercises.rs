//! `cargo xtask exercises`: every starter fails, every solution passes.
//!
//! The convention (CONTRIBUTING.md, "Exercises"): an exercise is a folder
//! `listings/<crate>/tests/<binary>/exercises/<name>/` in a crate's test
//! binary, holding `starter.rs` (tests marked
//! `#[ignore = "exercise starter: <task>"]`, failing until solved) and
//! `solution.rs` (the same tests, solved). A chapter includes the starter
//! (anchor `starter`), `src/solutions.md` the solution (anchor `solution`).
//!
//! - `cargo xtask exercises`                 check, print the counts
//! - `cargo xtask exercises --every-chapter` also fail when a chapter (not
//!   an appendix) ends without an exercise
//!
//! A starter that needs Docker and finds none fails with "needs a Docker
//! engine"; that is reported as not run (a failure with CI=true), never
//! counted as proven.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};

use crate::util::{self, capture, cmd};

/// Fewer exercises than this means some were lost (a folder renamed, a
/// `mod` line dropped): the book has one per chapter.
pub const MIN_EXERCISES: usize = 15;

/// What a starter that needs Docker says when there is none.
pub const NEEDS_DOCKER: &str = "needs a Docker engine";
/// What the containers harness prints when it skips (solutions only).
const NO_DOCKER: &str = "skipped: no Docker engine reachable";

/// One exercise: its folder and the test binary that compiles it.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// `listings/user-service/tests/api/exercises/first_test`
    pub dir: PathBuf,
    pub package: String,
    pub binary: String,
    /// `exercises::first_test`
    pub module: String,
}

impl Exercise {
    pub fn starter(&self) -> PathBuf {
        self.dir.join("starter.rs")
    }
    pub fn solution(&self) -> PathBuf {
        self.dir.join("solution.rs")
    }
}

/// Every exercise folder under `listings/`, sorted.
pub fn find() -> Result<Vec<Exercise>> {
    let mut found = Vec::new();
    for krate in sorted_dirs(Path::new("listings"))? {
        let tests = krate.join("tests");
        if !tests.is_dir() {
            continue;
        }
        for binary in sorted_dirs(&tests)? {
            let root = binary.join("exercises");
            if !root.is_dir() {
                continue;
            }
            let package = package_name(&krate)?;
            for dir in sorted_dirs(&root)? {
                let name = dir.file_name().unwrap().to_string_lossy();
                found.push(Exercise {
                    module: format!("exercises::{name}"),
                    package: package.clone(),
                    binary: binary
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    dir,
                });
            }
        }
    }
    Ok(found)
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// `name = "…"` of the `[package]` table of `krate/Cargo.toml`.
fn package_name(krate: &Path) -> Result<String> {
    let manifest = fs::read_to_string(krate.join("Cargo.toml"))?;
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some(value) = line.strip_prefix("name")
            && let Some(value) = value.trim().strip_prefix('=')
        {
            return Ok(value.trim().trim_matches('"').to_owned());
        }
    }
    bail!("no [package] name in {}/Cargo.toml", krate.display())
}

/// One `test <name> ... <outcome>` line of libtest's output.
pub fn outcomes(output: &str) -> BTreeMap<String, String> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("test "))
        .filter_map(|rest| rest.split_once(" ... "))
        .map(|(name, outcome)| (name.to_owned(), outcome.trim().to_owned()))
        .collect()
}

/// The test functions of a starter or solution file, in order.
pub fn test_names(file: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let mut names = Vec::new();
    let mut test_attr = false;
    // Inside `r#"…"#` (a test under review, held as a string) nothing is
    // an item of this file.
    let mut in_raw = false;
    for line in text.lines().map(str::trim) {
        if in_raw {
            in_raw = !line.contains("\"#");
            continue;
        }
        if let Some((_, rest)) = line.split_once("r#\"") {
            in_raw = !rest.contains("\"#");
            continue;
        }
        if line.starts_with("#[test]") || line.starts_with("#[tokio::test") {
            test_attr = true;
        } else if test_attr
            && let Some(rest) = line
                .strip_prefix("async fn ")
                .or_else(|| line.strip_prefix("fn "))
        {
            names.push(rest.split('(').next().unwrap_or(rest).to_owned());
            test_attr = false;
        }
    }
    Ok(names)
}

fn cargo_test(package: &str, binary: &str, args: &[&str]) -> Result<String> {
    let mut c = cmd(&["cargo", "test", "-p", package, "--test", binary, "--"]);
    // A starter fails by design and nobody opens its database, so testdb
    // keeps none: a kept database would keep the shared cluster up after
    // the run. (It also makes this the run that clears what the broken
    // listings of the outputs step kept, as a reader's next run would.)
    c.args(args)
        .env("RUST_BACKTRACE", "0")
        .env("TESTDB_KEEP_FAILED", "0");
    Ok(capture(c)?.1)
}

/// The chapters of `src/SUMMARY.md` that should end with an exercise:
/// not the appendices (chapters under a part title starting "Appendi"),
/// not the solutions, not front matter for instructors or set-up.
pub fn chapters_expecting_an_exercise() -> Result<Vec<String>> {
    let summary = fs::read_to_string("src/SUMMARY.md")?;
    let mut part = String::new();
    let mut chapters = Vec::new();
    for line in summary.lines() {
        if let Some(title) = line.strip_prefix("# ") {
            part = title.trim().to_lowercase();
        }
        for file in line
            .split("](")
            .skip(1)
            .filter_map(|rest| rest.split_once(')').map(|(f, _)| f))
            .filter(|f| f.ends_with(".md"))
        {
            let front = matches!(
                file,
                "solutions.md" | "setup.md" | "running-the-course.md"
            );
            if !front && !part.starts_with("appendi") {
                chapters.push(file.to_owned());
            }
        }
    }
    Ok(chapters)
}

#[derive(clap::Args)]
pub struct Args {
    /// Also fail when a chapter (not an appendix) ends without an
    /// exercise.
    #[arg(long)]
    every_chapter: bool,
}

pub fn run(args: Args) -> Result<()> {
    check(args.every_chapter)
}

/// What the exercise check found.
#[derive(Default)]
struct Tally {
    /// Starters that failed with a panic, as they should.
    failed: usize,
    /// Solutions that passed.
    passed: usize,
    /// Tests that could not run here (no Docker engine).
    not_run: Vec<String>,
    problems: Vec<String>,
}

/// The exercise check; with `every_chapter`, a chapter without an
/// exercise fails it too.
pub fn check(every_chapter: bool) -> Result<()> {
    // Like the CI run: the locally built image when it exists.
    util::use_local_image();
    let exercises = find()?;
    let mut tally = Tally::default();
    for ((package, binary), list) in &by_binary(&exercises) {
        check_binary(package, binary, list, &mut tally)?;
    }
    let chapters = chapters_expecting_an_exercise()?;
    let without = chapters_without_an_exercise(&chapters);
    if !without.is_empty() {
        let note =
            format!("chapters without an exercise: {}", without.join(", "));
        if every_chapter {
            tally.problems.push(note);
        } else {
            println!("{note}");
        }
    }
    if exercises.len() < MIN_EXERCISES {
        tally.problems.push(format!(
            "{} exercises found, at least {MIN_EXERCISES} expected (was a \
             folder renamed or a `mod` line dropped?)",
            exercises.len()
        ));
    }
    report(
        &tally,
        exercises.len(),
        chapters.len() - without.len(),
        &chapters,
    )
}

/// The exercises grouped by the test binary that compiles them.
fn by_binary(
    exercises: &[Exercise],
) -> BTreeMap<(String, String), Vec<&Exercise>> {
    let mut binaries: BTreeMap<(String, String), Vec<&Exercise>> =
        BTreeMap::new();
    for e in exercises {
        binaries
            .entry((e.package.clone(), e.binary.clone()))
            .or_default()
            .push(e);
    }
    binaries
}

/// One test binary's exercises: an ordinary run, where the solutions
/// pass and the starters are ignored with the exercise reason, then the
/// starters run as a reader runs them.
fn check_binary(
    package: &str,
    binary: &str,
    list: &[&Exercise],
    tally: &mut Tally,
) -> Result<()> {
    let shown = format!("cargo test -p {package} --test {binary}");
    println!("{shown} -- exercises:: ({} exercises)", list.len());
    let out = cargo_test(package, binary, &["exercises::"])?;
    let plain = Run::new(out);
    if plain.outcomes.is_empty() {
        let tail = &plain.out[plain.out.len().saturating_sub(3000)..];
        bail!("`{shown}` ran no test (does it compile?):\n{tail}");
    }
    let out = cargo_test(package, binary, &["--ignored", "::starter::"])?;
    let starters = Run::new(out);
    for e in list {
        let (starter_names, solution_names) =
            same_names(e, &mut tally.problems)?;
        for name in &solution_names {
            let full = format!("{}::solution::{name}", e.module);
            check_solution(&full, &shown, &plain, tally);
        }
        for name in &starter_names {
            let full = format!("{}::starter::{name}", e.module);
            check_starter(&full, &shown, &plain, &starters, tally);
        }
        check_book(e, &mut tally.problems)?;
    }
    Ok(())
}

/// One run's output and its tests' outcomes.
struct Run {
    out: String,
    outcomes: BTreeMap<String, String>,
}

impl Run {
    fn new(out: String) -> Run {
        Run {
            outcomes: outcomes(&out),
            out,
        }
    }

    fn outcome(&self, test: &str) -> Option<&str> {
        self.outcomes.get(test).map(String::as_str)
    }
}

/// The tests of a starter and of its solution, which must have the same
/// names (and at least one).
fn same_names(
    e: &Exercise,
    problems: &mut Vec<String>,
) -> Result<(Vec<String>, Vec<String>)> {
    let starters = test_names(&e.starter())?;
    let solutions = test_names(&e.solution())?;
    if starters.is_empty() {
        problems.push(format!("{}: no test", e.starter().display()));
    }
    if starters != solutions {
        problems.push(format!(
            "{}: starter tests {starters:?} and solution tests \
             {solutions:?} should be the same names",
            e.dir.display()
        ));
    }
    Ok((starters, solutions))
}

/// A solution passes in the ordinary run.
fn check_solution(full: &str, shown: &str, plain: &Run, tally: &mut Tally) {
    match plain.outcome(full) {
        Some("ok") if plain.out.contains(NO_DOCKER) => {
            tally.not_run.push(format!("{full} (no Docker engine)"));
        }
        Some("ok") => tally.passed += 1,
        other => tally.problems.push(format!(
            "solution {full} should pass, but it {}; run: {shown} -- \
             --exact {full}",
            describe(other)
        )),
    }
}

/// A starter is ignored with the exercise reason in the ordinary run, and
/// fails with a panic when run.
fn check_starter(
    full: &str,
    shown: &str,
    plain: &Run,
    starters: &Run,
    tally: &mut Tally,
) {
    match plain.outcome(full) {
        Some(o) if o.starts_with("ignored, exercise starter") => {}
        other => tally.problems.push(format!(
            "{full}: a starter must be #[ignore = \"exercise starter: \
             <task>\"], but it {}",
            describe(other)
        )),
    }
    let panicked = starters.out.contains(&format!("thread '{full}'"))
        && starters.out.contains("panicked");
    match starters.outcome(full) {
        Some("FAILED") if starters.out.contains(NEEDS_DOCKER) => {
            tally.not_run.push(format!("{full} (no Docker engine)"));
        }
        Some("FAILED") if panicked => tally.failed += 1,
        other => tally.problems.push(format!(
            "starter {full} should fail until solved, but it {}; run: \
             {shown} -- --ignored --exact {full}",
            describe(other)
        )),
    }
}

/// The chapters that include no exercise starter.
fn chapters_without_an_exercise(chapters: &[String]) -> Vec<&str> {
    chapters
        .iter()
        .filter(|c| {
            fs::read_to_string(Path::new("src").join(c))
                .map(|t| !t.contains("/starter.rs:starter}}"))
                .unwrap_or(true)
        })
        .map(String::as_str)
        .collect()
}

/// Fails on any problem (and, with CI=true, on a test not run); else
/// prints the counts.
fn report(
    tally: &Tally,
    exercises: usize,
    with_exercise: usize,
    chapters: &[String],
) -> Result<()> {
    let mut problems = tally.problems.clone();
    if !tally.not_run.is_empty() {
        let list = tally.not_run.join(", ");
        if util::is_ci() {
            problems.push(format!("not run, and CI=true: {list}"));
        } else {
            println!("not run here (start Docker to run them): {list}");
        }
    }
    if !problems.is_empty() {
        bail!("exercise check failed:\n  {}", problems.join("\n  "));
    }
    println!(
        "exercises: {exercises} exercises, {} starters fail until solved, \
         {} solutions pass{}, {with_exercise} of {} chapters end with an \
         exercise",
        tally.failed,
        tally.passed,
        if tally.not_run.is_empty() {
            String::new()
        } else {
            format!(", {} not run", tally.not_run.len())
        },
        chapters.len()
    );
    Ok(())
}

fn describe(outcome: Option<&str>) -> String {
    match outcome {
        Some("ok") => "passed".into(),
        Some("FAILED") => "failed without a panic".into(),
        Some(other) => format!("was {other}"),
        None => "did not run (is its `mod` line there?)".into(),
    }
}

/// The book shows both halves: a chapter includes the starter, the
/// solutions appendix the solution.
fn check_book(e: &Exercise, problems: &mut Vec<String>) -> Result<()> {
    let starter = format!("../{}:starter}}}}", e.starter().display());
    let solution = format!("../{}:solution}}}}", e.solution().display());
    let mut in_chapter = false;
    for entry in fs::read_dir("src")?.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "solutions.md") {
            continue;
        }
        if fs::read_to_string(&path).is_ok_and(|t| t.contains(&starter)) {
            in_chapter = true;
        }
    }
    if !in_chapter {
        problems.push(format!("no chapter includes {starter}"));
    }
    let solutions = fs::read_to_string("src/solutions.md")?;
    if !solutions.contains(&solution) {
        problems.push(format!("src/solutions.md does not include {solution}"));
    }
    Ok(())
}
