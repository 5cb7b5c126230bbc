//! `cargo xtask handout`: the course handouts, built and checked.
//!
//! - `book/handout-student.pdf`: the chapters with exercise starters only,
//!   no solutions, no instructor notes, no instructor pages;
//! - `book/handout-instructor.pdf`: everything, notes opened;
//! - `book/course-starters.tar.gz`: the workspace as a student gets it:
//!   every exercise's `starter.rs`, no `solution.rs`, no solutions chapter.
//!
//! Each PDF has a title page, a table of contents with page numbers, the
//! part headings, bookmarks, page numbers in the footer, and "(p. N)" after
//! every link inside the book. Chromium prints the page that
//! `ci/handout-prepare.py` makes from mdBook's print.html; the page numbers
//! come from the PDF itself (where each link target landed), so the page is
//! prepared and printed again until they stop moving. `ci/handout-check.py`
//! then reads each PDF back.
//!
//! - `cargo xtask handout`            both editions and the bundle, checked
//! - `cargo xtask handout --out DIR`  write them to DIR instead of book/

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};

use crate::{
    exercises, tools,
    util::{self, capture, cmd, exec},
};

const EDITIONS: &[&str] = &["student", "instructor"];
/// Printing again changes page numbers only when a "(p. 99)" is wider
/// than the "(p. 000)" it replaced and pushes a line over; it settles in
/// two or three runs.
const MAX_RUNS: usize = 5;

pub fn run(args: &[String]) -> Result<()> {
    let out = match args {
        [] => PathBuf::from("book"),
        [flag, dir] if flag == "--out" => PathBuf::from(dir),
        _ => bail!("usage: cargo xtask handout [--out DIR]"),
    };
    tools::ensure_mdbook()?;
    tools::ensure_chromium()?;
    tools::ensure_python_module("pypdf", "pypdf")?;
    ensure_cjk_font()?;
    fs::create_dir_all(&out)?;

    // A build of our own: another `mdbook build` in this tree empties
    // book/, which must not happen while Chromium reads it.
    let work =
        std::env::temp_dir().join(format!("handout-{}", std::process::id()));
    let site = work.join("site");
    let _ = fs::remove_dir_all(&work);
    fs::create_dir_all(&work)?;
    let _cleanup = RemoveOnDrop(work.clone());
    util::step("mdbook build");
    exec(cmd(&["mdbook", "build", "--dest-dir", &path(&site)]))?;

    for edition in EDITIONS {
        util::step(&format!("{edition} edition"));
        let pdf = out.join(format!("handout-{edition}.pdf"));
        let pages = work.join(format!("pages-{edition}.json"));
        let mut previous = String::new();
        let mut settled = false;
        for n in 1..=MAX_RUNS {
            let mut prepare = cmd(&["python3", "ci/handout-prepare.py"]);
            prepare.args([&path(&site), "src/SUMMARY.md", edition]);
            if n > 1 {
                prepare.arg(&pages);
            }
            exec(prepare)?;
            print_pdf(&site.join(format!("handout-{edition}.html")), &pdf)?;
            exec(cmd(&[
                "python3",
                "ci/handout-prepare.py",
                "pages",
                &path(&pdf),
                &path(&pages),
            ]))?;
            let now = fs::read_to_string(&pages)?;
            if n > 1 && now == previous {
                println!("page numbers settled after {n} runs");
                settled = true;
                break;
            }
            previous = now;
        }
        if !settled {
            bail!("page numbers still moved after {MAX_RUNS} runs");
        }
        exec(cmd(&[
            "python3",
            "ci/handout-check.py",
            &path(&pdf),
            &path(&site.join(format!("handout-{edition}.html"))),
            "src/SUMMARY.md",
            edition,
            &path(&pages),
        ]))?;
    }

    util::step("student bundle: starters, no solutions");
    bundle(&out.join("course-starters.tar.gz"), &work)?;
    Ok(())
}

/// The temporary build, removed however the command ends.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A listing holds a CJK character (a Unicode test case); without a font
/// that has it, Chromium prints nothing there and the check finds the code
/// line cut. Droid Sans Fallback is small (2 MB) and covers it.
fn ensure_cjk_font() -> Result<()> {
    let has = capture(cmd(&["fc-list", ":lang=ja"]))
        .is_ok_and(|(ok, out)| ok && !out.trim().is_empty());
    if has {
        return Ok(());
    }
    println!("installing a CJK fallback font (2 MB)");
    util::apt_install(&["fonts-droid-fallback"])
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn print_pdf(html: &Path, pdf: &Path) -> Result<()> {
    let browser =
        std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let _ = fs::remove_file(pdf);
    let url = format!("file://{}", html.canonicalize()?.display());
    // The page calls window.print() itself; --print-to-pdf catches that.
    // No --virtual-time-budget: with it Chromium exits 0 and writes nothing.
    let (_, log) = capture(cmd(&[
        &browser,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-pdf-header-footer",
        "--generate-pdf-document-outline",
        &format!("--print-to-pdf={}", pdf.display()),
        &url,
    ]))?;
    if !pdf.is_file() {
        bail!("{browser} wrote no PDF at {}:\n{log}", pdf.display());
    }
    Ok(())
}

/// The workspace as tracked by git, without the solutions: each
/// exercise's `solution.rs` and its `mod solution;` line, and the
/// solutions chapter. Checked after it is written: no solution file, and
/// no line that only a solution has.
fn bundle(tarball: &Path, work: &Path) -> Result<()> {
    let root = work.join("course-starters");
    let (ok, files) = capture(cmd(&["git", "ls-files", "-z"]))?;
    if !ok {
        bail!("git ls-files failed: {files}");
    }
    let list = exercises::find()?;
    let solutions: Vec<PathBuf> = list.iter().map(|e| e.solution()).collect();
    let parents: Vec<PathBuf> =
        list.iter().map(|e| e.dir.with_extension("rs")).collect();
    let mut count = 0;
    for file in files.split('\0').filter(|f| !f.is_empty()) {
        let file = Path::new(file);
        if solutions.iter().any(|s| s == file)
            || file == Path::new("src/solutions.md")
            || !file.is_file()
        {
            continue;
        }
        let target = root.join(file);
        fs::create_dir_all(target.parent().unwrap())?;
        if parents.iter().any(|p| p == file) {
            let text = fs::read_to_string(file)?;
            let kept: Vec<&str> = text
                .lines()
                .filter(|l| l.trim() != "mod solution;")
                .collect();
            fs::write(&target, kept.join("\n") + "\n")?;
        } else if file == Path::new("src/SUMMARY.md") {
            let text = fs::read_to_string(file)?;
            let kept: Vec<&str> = text
                .lines()
                .filter(|l| !l.contains("(solutions.md)"))
                .collect();
            fs::write(&target, kept.join("\n") + "\n")?;
        } else {
            fs::copy(file, &target)
                .with_context(|| format!("copying {}", file.display()))?;
        }
        count += 1;
    }
    // What only a solution says must not be in the bundle.
    let mut leaks = Vec::new();
    for e in &list {
        let starter = fs::read_to_string(e.starter())?;
        let solution = fs::read_to_string(e.solution())?;
        let copied = fs::read_to_string(root.join(e.starter()))?;
        for line in solution_only_lines(&starter, &solution) {
            if copied.contains(line) {
                leaks.push(format!("{}: {line}", e.starter().display()));
            }
        }
        if root.join(e.solution()).exists() {
            leaks.push(format!("{} is in the bundle", e.solution().display()));
        }
    }
    if !leaks.is_empty() {
        bail!(
            "the student bundle holds solution code:\n  {}",
            leaks.join("\n  ")
        );
    }
    let _ = fs::remove_file(tarball);
    exec(cmd(&[
        "tar",
        "-czf",
        &path(tarball),
        "-C",
        &path(work),
        "course-starters",
    ]))?;
    println!(
        "{}: {count} files, {} starters, no solution",
        tarball.display(),
        list.len()
    );
    Ok(())
}

/// Lines of a solution that appear nowhere in its starter: the answer.
/// Short or generic lines (braces, `.await`) are not evidence.
pub fn solution_only_lines<'a>(
    starter: &str,
    solution: &'a str,
) -> Vec<&'a str> {
    solution
        .lines()
        .map(str::trim)
        .filter(|l| l.len() >= 24 && !l.starts_with("//"))
        .filter(|l| !starter.contains(*l))
        .collect()
}
