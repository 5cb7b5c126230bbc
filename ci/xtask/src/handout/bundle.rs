//! The student bundle, `course-starters.tar.gz`: written from the
//! workspace as git tracks it, then proven the way a student meets it.
//!
//! [`write`] leaves out every exercise solution and the instructor pages,
//! strips the instructor notes and the mentions of the missing pages from
//! the chapters, and puts a student README in place of the contributors'
//! one. [`check_student_bundle`] unpacks the tarball into an empty
//! directory and runs, there, what a student runs: `cargo xtask warm-up`,
//! then every starter, each of which must fail in its own code.

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};

use super::{RemoveOnDrop, path, student};
use crate::{
    exercises::{self, Exercise},
    util::{self, capture, cmd, exec},
};

/// The folder the tarball unpacks to.
const FOLDER: &str = "course-starters";

/// Writes the bundle to `tarball`, staging it under `work`.
pub fn write(tarball: &Path, work: &Path) -> Result<()> {
    let root = work.join(FOLDER);
    let _ = fs::remove_dir_all(&root);
    let (ok, files) = capture(cmd(&["git", "ls-files", "-z"]))?;
    if !ok {
        bail!("git ls-files failed: {files}");
    }
    let list = exercises::find()?;
    let mut count = 0;
    for file in files.split('\0').filter(|f| !f.is_empty()) {
        let file = Path::new(file);
        if !file.is_file() || left_out(file, &list) {
            continue;
        }
        let target = root.join(file);
        fs::create_dir_all(target.parent().unwrap())?;
        match as_student_gets_it(file, &list)? {
            Some(text) => fs::write(&target, text)?,
            None => {
                fs::copy(file, &target)
                    .with_context(|| format!("copying {}", file.display()))?;
            }
        }
        count += 1;
    }
    fs::write(root.join("README.md"), readme(&list)?)?;
    check_contents(&root, &list)?;
    let _ = fs::remove_file(tarball);
    exec(cmd(&[
        "tar",
        "-czf",
        &path(tarball),
        "-C",
        &path(work),
        FOLDER,
    ]))?;
    println!(
        "{}: {count} files, {} starters, no solution, no instructor page or \
         note, a student README",
        tarball.display(),
        list.len()
    );
    Ok(())
}

/// A solution file or an instructor page: not in the bundle.
fn left_out(file: &Path, list: &[Exercise]) -> bool {
    list.iter().any(|e| e.solution() == file)
        || student::INSTRUCTOR_PAGES
            .iter()
            .any(|p| file == Path::new("src").join(p))
}

/// The text a student gets for `file` when it differs from the book's,
/// None when the file is copied as it is.
fn as_student_gets_it(
    file: &Path,
    list: &[Exercise],
) -> Result<Option<String>> {
    let parents: Vec<PathBuf> =
        list.iter().map(|e| e.dir.with_extension("rs")).collect();
    let text = || {
        fs::read_to_string(file)
            .with_context(|| format!("reading {}", file.display()))
    };
    let lines_without = |text: String, drop: &dyn Fn(&str) -> bool| {
        let kept: Vec<&str> = text.lines().filter(|l| !drop(l)).collect();
        kept.join("\n") + "\n"
    };
    if parents.iter().any(|p| p == file) {
        let t = lines_without(text()?, &|l| l.trim() == "mod solution;");
        return Ok(Some(t));
    }
    if file == Path::new("src/SUMMARY.md") {
        let drop = |l: &str| {
            student::INSTRUCTOR_PAGES
                .iter()
                .any(|p| l.contains(&format!("({p})")))
        };
        return Ok(Some(lines_without(text()?, &drop)));
    }
    if file.starts_with("src") && file.extension().is_some_and(|e| e == "md") {
        return Ok(Some(student::student_chapter(&text()?)));
    }
    Ok(None)
}

fn readme(list: &[Exercise]) -> Result<String> {
    let book = fs::read_to_string("book.toml")?;
    let title = book
        .lines()
        .find_map(|l| l.strip_prefix("title = "))
        .map(|t| t.trim().trim_matches('"').to_owned())
        .unwrap_or_else(|| "The book".into());
    let mut listed = list
        .iter()
        .map(student::listed)
        .collect::<Result<Vec<_>>>()?;
    // In the order a student meets them: the chapters' order in SUMMARY.md.
    let summary = fs::read_to_string("src/SUMMARY.md")?;
    listed.sort_by_key(|l| summary.find(&format!("({})", l.chapter.0)));
    Ok(student::readme(&title, &listed))
}

/// What must hold of a bundle's files, unpacked at `root`: no solution
/// (neither a file nor a line only a solution has), no instructor page or
/// note, no mention of a page it lacks, a README that starts a student off.
pub fn check_contents(root: &Path, list: &[Exercise]) -> Result<()> {
    let mut problems = Vec::new();
    for e in list {
        if root.join(e.solution()).exists() {
            problems
                .push(format!("{} is in the bundle", e.solution().display()));
        }
        let Ok(copied) = fs::read_to_string(root.join(e.starter())) else {
            problems.push(format!("{} is missing", e.starter().display()));
            continue;
        };
        if let Ok(solution) = fs::read_to_string(e.solution()) {
            let starter = fs::read_to_string(e.starter())?;
            for line in super::solution_only_lines(&starter, &solution) {
                if copied.contains(line) {
                    problems.push(format!(
                        "solution code in {}: {line}",
                        e.starter().display()
                    ));
                }
            }
        }
    }
    for page in student::INSTRUCTOR_PAGES {
        if root.join("src").join(page).exists() {
            problems.push(format!("the instructor page src/{page} is in it"));
        }
    }
    problems.extend(mentions(root)?);
    let readme = fs::read_to_string(root.join("README.md")).unwrap_or_default();
    for needed in ["Start here", "src/setup.md", "cargo xtask warm-up"] {
        if !readme.contains(needed) {
            problems.push(format!("README.md does not say {needed:?}"));
        }
    }
    for e in list {
        if !readme.contains(&student::command(e)) {
            problems.push(format!("README.md lacks `{}`", student::command(e)));
        }
    }
    if !problems.is_empty() {
        bail!(
            "the student bundle is not what a student should get:\n  {}\n\
             (the bundle is written by ci/xtask/src/handout/bundle.rs; fix \
             the source it names, or what the bundle leaves out)",
            problems.join("\n  ")
        );
    }
    Ok(())
}

/// Instructor notes and mentions of instructor pages in the bundle's
/// Markdown (chapters, SUMMARY, README).
fn mentions(root: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut files = vec![root.join("README.md")];
    for entry in fs::read_dir(root.join("src"))?.flatten() {
        if entry.path().extension().is_some_and(|e| e == "md") {
            files.push(entry.path());
        }
    }
    let titles = instructor_titles()?;
    for file in files {
        let text = fs::read_to_string(&file).unwrap_or_default();
        let shown = file.strip_prefix(root).unwrap_or(&file).display();
        if text.contains("instructor-notes") {
            found.push(format!("{shown}: an instructor note"));
        }
        for page in student::INSTRUCTOR_PAGES {
            if text.contains(&format!("]({page}")) {
                found.push(format!("{shown}: a link to {page}"));
            }
        }
        for title in &titles {
            if text.contains(title.as_str()) {
                found.push(format!("{shown}: mentions {title:?}"));
            }
        }
    }
    Ok(found)
}

/// The instructor pages' titles in the book's SUMMARY.md.
fn instructor_titles() -> Result<Vec<String>> {
    let summary = fs::read_to_string("src/SUMMARY.md")?;
    Ok(summary
        .lines()
        .filter(|l| {
            student::INSTRUCTOR_PAGES
                .iter()
                .any(|p| l.contains(&format!("]({p})")))
        })
        .filter_map(|l| l.split_once('[')?.1.split_once(']'))
        .map(|(title, _)| title.to_owned())
        .collect())
}

/// Unpacks `tarball` into an empty directory and proves it works there as
/// a student receives it: its files pass [`check_contents`], its warm-up
/// passes, and each starter fails in its own code. What CI runs after the
/// handout step.
pub fn check_student_bundle(tarball: &Path) -> Result<()> {
    if !tarball.is_file() {
        bail!(
            "no bundle at {}: run `cargo xtask handout` (or `cargo xtask \
             handout --bundle`) first",
            tarball.display()
        );
    }
    // Like the CI run and the exercises check: the locally built image of
    // the containers chapter when there is one (pulling may be impossible).
    util::use_local_image();
    let (work, _cleanup) = workdir()?;
    // -m: the files get the time of unpacking, not their commit's, so a
    // build kept in STUDENT_BUNDLE_DIR sees them as changed and rebuilds
    // (cargo compares mtimes; an older source looks already built).
    exec(cmd(&["tar", "-xzmf", &path(tarball), "-C", &path(&work)]))?;
    let root = work.join(FOLDER);
    let list = exercises::find()?;
    check_contents(&root, &list)?;
    println!("bundle: its files are a student's (no solution, no note)");

    util::step("the bundle's warm-up, as a student runs it");
    // A target dir of its own: with the workspace's, cargo would find the
    // other copy's fresh binaries and run them instead of this copy's.
    let target = work.join("target");
    let mut warm_up = in_bundle(&root, &target, &["cargo", "xtask", "warm-up"]);
    warm_up.env("TESTDB_KEEP_FAILED", "0");
    exec(warm_up).context(
        "the bundle's warm-up failed: a student would stop here. Its \
         output above says what was missing",
    )?;
    super::starters::check(&root, &target, &list)
}

/// Where the bundle is unpacked and built: a fresh temporary directory,
/// removed at the end; or `STUDENT_BUNDLE_DIR`, kept between runs while
/// working on the bundle (its build is reused, at the same path each time:
/// cargo's fingerprints ignore where a workspace sits, so a build reused
/// from another path keeps that path in `env!("CARGO_MANIFEST_DIR")`).
fn workdir() -> Result<(PathBuf, Option<RemoveOnDrop>)> {
    if let Some(kept) = std::env::var_os("STUDENT_BUNDLE_DIR") {
        let kept = PathBuf::from(kept);
        if util::root().starts_with(&kept) || kept.starts_with(util::root()) {
            bail!(
                "STUDENT_BUNDLE_DIR ({}) overlaps the workspace: point it at \
                 a directory of its own, outside the book's tree",
                kept.display()
            );
        }
        // The last unpacked copy goes; its build stays.
        let _ = fs::remove_dir_all(kept.join(FOLDER));
        fs::create_dir_all(&kept)?;
        return Ok((kept, None));
    }
    let work = std::env::temp_dir()
        .join(format!("student-bundle-{}", std::process::id()));
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work)?;
    Ok((work.clone(), Some(RemoveOnDrop(work))))
}

/// A command run inside the unpacked bundle, built in `target`, at a lower
/// priority than the rest of the machine's work.
pub fn in_bundle(
    root: &Path,
    target: &Path,
    line: &[&str],
) -> std::process::Command {
    let mut c = cmd(&["nice", "-n", "10"]);
    c.args(line)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target);
    // Cargo sets these for the xtask it runs; the bundle's cargo must find
    // its own workspace, not be told about this one.
    for var in [
        "CARGO_MANIFEST_DIR",
        "CARGO_PKG_NAME",
        "CARGO_PRIMARY_PACKAGE",
        // It would point the bundle's own xtask back at this tree.
        "XTASK_ROOT",
    ] {
        c.env_remove(var);
    }
    c
}
