//! Applying a mutant in place, running the crate's build and tests under a
//! time limit, and putting the file back however the run ends.
//!
//! The file is restored three ways, so the reader's tree never keeps a
//! mutant:
//! - from memory, when the [`Applied`] guard is dropped: after each mutant,
//!   and while unwinding from a panic;
//! - on Ctrl-C or `kill`: the signal only sets a flag, the running tests are
//!   stopped, and the guard is dropped on the way out as above;
//! - after `kill -9`, which nothing can catch: a copy of the original sits
//!   beside the file while it is mutated (`*.sql-mutants-orig`), and the
//!   next run puts it back before it does anything else.

use std::{
    fs,
    io::Write,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use crate::{
    find::{self, SqlLiteral},
    mutate::{self, Mutant},
    report::{self, Outcome},
};

/// What to run, and where.
pub struct Config {
    /// The crate whose `src/` is mutated; commands run in this directory.
    pub crate_dir: PathBuf,
    /// Builds the tests without running them: a mutant that fails here is
    /// unviable, and the build's time is kept out of the time limit.
    pub build_cmd: String,
    /// Runs the tests that exercise the SQL.
    pub test_cmd: String,
    /// The limit for one run of the tests; by default five times the
    /// unmutated run, and never under 30 s.
    pub timeout: Option<Duration>,
    /// Where each command's output is kept, one file per mutant.
    pub log_dir: PathBuf,
}

/// The suffix of the copy kept beside a mutated file.
const ORIGINAL: &str = "sql-mutants-orig";

/// Set by SIGINT and SIGTERM; checked while a command runs.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    // Only an atomic store: anything more is not safe in a signal handler.
    STOP.store(true, Ordering::SeqCst);
}

/// Ctrl-C and `kill` stop the run instead of the process, so the mutated
/// file is restored before it exits.
pub fn stop_on_signals() {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

// ANCHOR: applied
/// A mutant written into its file. Dropping it writes the original back.
pub struct Applied {
    file: PathBuf,
    original: String,
}

impl Applied {
    pub fn new(
        file: &Path,
        original: &str,
        mutated: &str,
    ) -> std::io::Result<Applied> {
        // The copy first: if this process dies before the guard's drop, the
        // next run still has the original.
        fs::write(backup_of(file), original)?;
        fs::write(file, mutated)?;
        Ok(Applied {
            file: file.to_owned(),
            original: original.to_owned(),
        })
    }
}

impl Drop for Applied {
    fn drop(&mut self) {
        if let Err(error) = fs::write(&self.file, &self.original) {
            // The copy stays, and the next run restores from it.
            eprintln!("could not restore {}: {error}", self.file.display());
            return;
        }
        let _ = fs::remove_file(backup_of(&self.file));
    }
}
// ANCHOR_END: applied

fn backup_of(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(format!(".{ORIGINAL}"));
    PathBuf::from(name)
}

/// Puts back every file a killed run left mutated under `dir`; returns them.
pub fn restore_leftovers(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut restored = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            restored.extend(restore_leftovers(&path)?);
        } else if path.extension().is_some_and(|ext| ext == ORIGINAL) {
            let file = path.with_extension("");
            fs::rename(&path, &file)?;
            restored.push(file);
        }
    }
    Ok(restored)
}

/// How one command ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ran {
    Passed,
    Failed,
    TimedOut,
    /// Ctrl-C or `kill`: the caller stops the whole run.
    Interrupted,
}

/// Runs `cmd` with `sh -c` in `dir`, its output into `log`, for at most
/// `limit`. It runs in a process group of its own, so a timeout ends the
/// test binaries cargo started too, not just cargo.
pub fn run(
    cmd: &str,
    dir: &Path,
    limit: Option<Duration>,
    log: &Path,
) -> std::io::Result<Ran> {
    let out = fs::File::create(log)?;
    let mut child = Command::new("sh")
        .args(["-c", cmd])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .process_group(0)
        .spawn()?;
    let deadline = limit.map(|limit| Instant::now() + limit);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(if status.success() {
                Ran::Passed
            } else {
                Ran::Failed
            });
        }
        let ran = if STOP.load(Ordering::SeqCst) {
            Ran::Interrupted
        } else if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
            Ran::TimedOut
        } else {
            // The child can't signal us when it ends without a crate for it;
            // checking 20 times a second costs nothing next to a build.
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        // SAFETY: a plain kill(2) of the group we made for the child.
        unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
        child.wait()?;
        return Ok(ran);
    }
}

/// A mutant with where it is, for the report.
pub struct Planned {
    pub literal: SqlLiteral,
    pub mutant: Mutant,
    /// The file relative to the crate, and the line of the change.
    pub shown_file: PathBuf,
    pub line: usize,
    /// Listed in the crate's equivalents file: reported, not run.
    pub equivalent: bool,
}

/// The file in the crate that lists its equivalent mutants, each with why.
pub const EQUIVALENTS: &str = "sql-mutants-equivalent.txt";

/// The crate's equivalent mutants as (where, description) pairs. A line is
/// `<file>: <the mutant as the report names it>`, or `<file>:<line>: ...`
/// when the same change can be made to two queries of the file and only one
/// is equivalent; `#` lines are the reasons.
fn equivalents(crate_dir: &Path) -> Result<Vec<(String, String)>, String> {
    let path = crate_dir.join(EQUIVALENTS);
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(Vec::new()); // no file: no mutant is equivalent
    };
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (file, mutant) = line.split_once(": ").ok_or(format!(
                "{}: expected `<file>: <mutant>`, got {line:?}",
                path.display()
            ))?;
            Ok((file.to_owned(), mutant.to_owned()))
        })
        .collect()
}

/// Every mutant of every SQL literal under the crate's `src/`.
pub fn plan(crate_dir: &Path) -> Result<Vec<Planned>, String> {
    let mut planned = Vec::new();
    for literal in find::sql_literals(&crate_dir.join("src"))? {
        let text =
            fs::read_to_string(&literal.file).map_err(|e| e.to_string())?;
        let line_starts = find::line_starts(&text);
        for mutant in mutate::mutants(&literal.source) {
            let line = find::line_of(&line_starts, literal.start + mutant.at);
            let shown_file = literal
                .file
                .strip_prefix(crate_dir)
                .unwrap_or(&literal.file)
                .to_owned();
            planned.push(Planned {
                literal: literal.clone(),
                mutant,
                shown_file,
                line,
                equivalent: false,
            });
        }
    }
    // An entry that matches no mutant is stale (the query changed): an
    // error, so the list can't quietly stop meaning anything.
    for (file, description) in equivalents(crate_dir)? {
        let mut matched = false;
        for p in &mut planned {
            let here = format!("{}:{}", p.shown_file.display(), p.line);
            if (p.shown_file == Path::new(&file) || here == file)
                && p.mutant.description == description
            {
                p.equivalent = true;
                matched = true;
            }
        }
        if !matched {
            return Err(format!(
                "{EQUIVALENTS}: no mutant {file}: {description}"
            ));
        }
    }
    Ok(planned)
}

/// Builds and tests the crate as it is, then once per mutant; prints a line
/// per mutant as it goes and returns the outcomes.
pub fn run_all(
    config: &Config,
    planned: &[Planned],
) -> Result<Vec<Outcome>, String> {
    let io = |e: std::io::Error| e.to_string();
    fs::create_dir_all(&config.log_dir).map_err(io)?;
    let dir = &config.crate_dir;

    // The unmutated crate must pass, or every mutant would look caught.
    let log = config.log_dir.join("baseline.log");
    let built = run(&config.build_cmd, dir, None, &log).map_err(io)?;
    let started = Instant::now();
    let tested = match built {
        Ran::Passed => run(&config.test_cmd, dir, None, &log).map_err(io)?,
        other => other,
    };
    match tested {
        Ran::Passed => {}
        Ran::Interrupted => return Err("interrupted".into()),
        _ => {
            return Err(format!(
                "the unmutated crate fails; see {}",
                log.display()
            ));
        }
    }
    let limit = config.timeout.unwrap_or_else(|| {
        (started.elapsed() * 5).max(Duration::from_secs(30))
    });
    println!(
        "{} mutants; the tests take {:.0} s unmutated, limit {:.0} s",
        planned.len(),
        started.elapsed().as_secs_f64(),
        limit.as_secs_f64()
    );

    let mut outcomes = Vec::new();
    for (i, planned) in planned.iter().enumerate() {
        let Planned {
            literal, mutant, ..
        } = planned;
        if planned.equivalent {
            let line = report::line(
                Outcome::Equivalent,
                &planned.shown_file,
                planned.line,
                &mutant.description,
            );
            println!("{line}");
            outcomes.push(Outcome::Equivalent);
            continue;
        }
        let original = fs::read_to_string(&literal.file).map_err(io)?;
        let mut mutated = original.clone();
        let span =
            literal.start + mutant.span.start..literal.start + mutant.span.end;
        mutated.replace_range(span, &mutant.replacement);

        let log = config.log_dir.join(format!("{}.log", i + 1));
        let applied =
            Applied::new(&literal.file, &original, &mutated).map_err(io)?;
        let outcome = match run(&config.build_cmd, dir, None, &log)
            .map_err(io)?
        {
            Ran::Passed => match run(&config.test_cmd, dir, Some(limit), &log)
                .map_err(io)?
            {
                Ran::Passed => Outcome::Missed,
                Ran::Failed => Outcome::Caught,
                Ran::TimedOut => Outcome::Timeout,
                Ran::Interrupted => return Err("interrupted".into()),
            },
            Ran::Interrupted => return Err("interrupted".into()),
            Ran::Failed | Ran::TimedOut => Outcome::Unviable,
        };
        drop(applied);
        println!(
            "{}",
            report::line(
                outcome,
                &planned.shown_file,
                planned.line,
                &mutant.description
            )
        );
        std::io::stdout().flush().map_err(io)?;
        outcomes.push(outcome);
    }
    Ok(outcomes)
}
