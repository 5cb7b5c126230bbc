//! Every starter, run in the unpacked bundle as a student runs it: each
//! must fail, and fail in its own file (its `todo!()` or its assertion,
//! the reason its chapter gives), not in the harness or for want of a
//! database: a starter that dies in `spawn_app` teaches nothing.

use std::{collections::BTreeMap, path::Path};

use anyhow::{Result, bail};

use super::bundle::in_bundle;
use crate::{
    exercises::{self, Exercise, NEEDS_DOCKER},
    util::{self, capture},
};

/// Runs each test binary's starters once in `root` (built in `target`) and
/// checks how each one failed.
pub fn check(root: &Path, target: &Path, list: &[Exercise]) -> Result<()> {
    util::step("every starter, in the bundle: fails in its own code");
    let mut binaries: BTreeMap<(&str, &str), Vec<&Exercise>> = BTreeMap::new();
    for e in list {
        binaries.entry((&e.package, &e.binary)).or_default().push(e);
    }
    let (mut proven, mut problems, mut not_run) = (0, Vec::new(), Vec::new());
    for ((package, binary), exercises) in binaries {
        let line = [
            "cargo",
            "test",
            "-p",
            package,
            "--test",
            binary,
            "--",
            "--ignored",
            "::starter::",
        ];
        let mut c = in_bundle(root, target, &line);
        c.env("RUST_BACKTRACE", "0").env("TESTDB_KEEP_FAILED", "0");
        let (_, out) = capture(c)?;
        let ran = exercises::outcomes(&out);
        for e in exercises {
            for name in exercises::test_names(&root.join(e.starter()))? {
                let full = format!("{}::starter::{name}", e.module);
                match verdict(&out, &ran, e, &full) {
                    Verdict::Proven(why) => {
                        println!("ok: {full} fails: {why}");
                        proven += 1;
                    }
                    Verdict::NoDocker => not_run.push(full),
                    Verdict::Wrong(problem) => problems.push(format!(
                        "{problem}; run in the bundle: cargo test -p \
                         {package} --test {binary} -- --ignored --exact {full}"
                    )),
                }
            }
        }
    }
    if !not_run.is_empty() {
        let message =
            format!("not run (no Docker engine): {}", not_run.join(", "));
        if util::is_ci() {
            problems.push(format!("{message}, and CI=true"));
        } else {
            println!("{message}");
        }
    }
    if !problems.is_empty() {
        bail!("starters in the bundle:\n  {}", problems.join("\n  "));
    }
    println!(
        "bundle: {proven} starters fail in their own code, as their text says"
    );
    Ok(())
}

enum Verdict {
    /// Failed in the starter's file; the panic's first line.
    Proven(String),
    NoDocker,
    Wrong(String),
}

/// How the starter `full` ended in `out`.
fn verdict(
    out: &str,
    ran: &BTreeMap<String, String>,
    e: &Exercise,
    full: &str,
) -> Verdict {
    match ran.get(full).map(String::as_str) {
        Some("FAILED") => {}
        Some(other) => {
            return Verdict::Wrong(format!(
                "{full} should fail, but it {other}"
            ));
        }
        None => return Verdict::Wrong(format!("{full} did not run")),
    }
    let Some((at, message)) = panic_of(out, full) else {
        return Verdict::Wrong(format!("{full} failed without a panic"));
    };
    if message.contains(NEEDS_DOCKER) {
        return Verdict::NoDocker;
    }
    let own = format!("{}/starter.rs", e.dir.display());
    if at.contains(&own) {
        Verdict::Proven(message)
    } else {
        Verdict::Wrong(format!(
            "{full} failed at {at}, not in {own}: {message}"
        ))
    }
}

/// Where the test `full` panicked, and the first line of what it said:
/// libtest prints `thread '<full>' panicked at <file>:<line>:<col>:`
/// (since Rust 1.90 with the thread's id, `thread '<full>' (42) panicked
/// at …`) and the message on the next line.
pub fn panic_of(out: &str, full: &str) -> Option<(String, String)> {
    let head = format!("thread '{full}' ");
    let mut lines = out.lines();
    let at = lines.find_map(|l| {
        let rest = l.strip_prefix(&head)?;
        rest.split_once("panicked at ").map(|(_, at)| at)
    })?;
    let message = lines.next().unwrap_or_default().trim().to_owned();
    Some((at.trim_end_matches(':').to_owned(), message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_test() -> Exercise {
        Exercise {
            dir: "listings/user-service/tests/api/exercises/first_test".into(),
            package: "user-service".into(),
            binary: "api".into(),
            module: "exercises::first_test".into(),
        }
    }

    fn run_of(full: &str, at: &str, message: &str) -> String {
        format!(
            "test {full} ... FAILED\n\nthread '{full}' (4242) panicked at \
             {at}:\n\
             {message}\nnote: run with `RUST_BACKTRACE=1`\n"
        )
    }

    const FULL: &str = "exercises::first_test::starter::a_test";

    #[test]
    fn a_starter_failing_at_its_todo_is_proven() {
        let at = "listings/user-service/tests/api/exercises/first_test/\
                  starter.rs:40:9";
        let out = run_of(FULL, at, "not yet implemented: SELECT name");
        let ran = exercises::outcomes(&out);
        let v = verdict(&out, &ran, &first_test(), FULL);
        assert!(matches!(v, Verdict::Proven(m) if m.contains("SELECT")));
    }

    #[test]
    fn a_starter_failing_in_the_harness_is_not_proven() {
        let at = "listings/user-service/tests/api/helpers.rs:41:5";
        let out = run_of(FULL, at, "no PostgreSQL found");
        let ran = exercises::outcomes(&out);
        let v = verdict(&out, &ran, &first_test(), FULL);
        assert!(matches!(v, Verdict::Wrong(m) if m.contains("helpers.rs")));
    }

    #[test]
    fn a_starter_that_passes_is_not_proven() {
        let out = format!("test {FULL} ... ok\n");
        let ran = exercises::outcomes(&out);
        let v = verdict(&out, &ran, &first_test(), FULL);
        assert!(matches!(v, Verdict::Wrong(m) if m.contains("should fail")));
    }
}
