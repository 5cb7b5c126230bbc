//! `cargo xtask handout`: the course handouts, built and checked.
//!
//! - `book/handout-student.pdf`: the chapters with exercise starters only,
//!   no solutions, no instructor notes, no instructor pages;
//! - `book/handout-instructor.pdf`: everything, notes opened;
//! - `book/course-starters.tar.gz`: the workspace as a student gets it:
//!   every exercise's `starter.rs`, no `solution.rs`, no instructor page or
//!   note, a student README (`handout/bundle.rs`).
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
//! - `cargo xtask handout --bundle [--out DIR]`  only the starter bundle
//! - `cargo xtask handout --check-bundle FILE`   unpack a bundle into an
//!   empty directory and run its warm-up and starters there (what CI runs
//!   after the handout step; a cold build, so minutes)

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{Result, bail};

use crate::{
    tools,
    util::{self, capture, cmd, exec},
};

pub mod bundle;
mod starters;
mod student;

const EDITIONS: &[&str] = &["student", "instructor"];
/// Printing again changes page numbers only when a "(p. 99)" is wider
/// than the "(p. 000)" it replaced and pushes a line over; it settles in
/// two or three runs.
const MAX_RUNS: usize = 5;

#[derive(clap::Args)]
pub struct Args {
    /// Write them to DIR instead of book/.
    #[arg(long, value_name = "DIR", default_value = "book")]
    out: PathBuf,
    /// Only the starter bundle, without the PDFs (no mdbook or Chromium
    /// needed).
    #[arg(long)]
    bundle: bool,
    /// Unpack this bundle into an empty directory and run its warm-up and
    /// starters there (what CI runs after the handout step; a cold build,
    /// so minutes). Writes nothing.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["out", "bundle"])]
    check_bundle: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    if let Some(file) = &args.check_bundle {
        return bundle::check_student_bundle(file);
    }
    if args.bundle {
        return bundle_only(&args.out);
    }
    build(&args.out)
}

/// Both editions and the bundle, written to `out` and checked.
pub fn build(out: &Path) -> Result<()> {
    tools::ensure_mdbook()?;
    tools::ensure_chromium()?;
    tools::ensure_python_module("pypdf", "pypdf")?;
    ensure_cjk_font()?;
    fs::create_dir_all(out)?;

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
        print_until_settled(edition, &site, &pdf, &pages)?;
        exec(cmd(&[
            "python3",
            "ci/handout-check.py",
            "check",
            &path(&pdf),
            &path(&site.join(format!("handout-{edition}.html"))),
            "src/SUMMARY.md",
            edition,
            &path(&pages),
        ]))?;
    }

    util::step("student bundle: starters, no solutions, no instructor notes");
    bundle::write(&out.join("course-starters.tar.gz"), &work)?;
    Ok(())
}

/// Prepares and prints one edition again until its page numbers (written
/// to `pages`) stop moving.
fn print_until_settled(
    edition: &str,
    site: &Path,
    pdf: &Path,
    pages: &Path,
) -> Result<()> {
    let mut previous = String::new();
    for n in 1..=MAX_RUNS {
        let prepare = ["python3", "ci/handout-prepare.py", "prepare"];
        let mut prepare = cmd(&prepare);
        prepare.args([&path(site), "src/SUMMARY.md", edition]);
        if n > 1 {
            prepare.arg(pages);
        }
        exec(prepare)?;
        print_pdf(&site.join(format!("handout-{edition}.html")), pdf)?;
        exec(cmd(&[
            "python3",
            "ci/handout-prepare.py",
            "pages",
            &path(pdf),
            &path(pages),
        ]))?;
        let now = fs::read_to_string(pages)?;
        if n > 1 && now == previous {
            println!("page numbers settled after {n} runs");
            return Ok(());
        }
        previous = now;
    }
    bail!("page numbers still moved after {MAX_RUNS} runs")
}

/// `--bundle`: the starter bundle alone, without the PDFs (no mdbook or
/// Chromium needed).
fn bundle_only(out: &Path) -> Result<()> {
    fs::create_dir_all(out)?;
    let work = std::env::temp_dir()
        .join(format!("handout-bundle-{}", std::process::id()));
    fs::create_dir_all(&work)?;
    let _cleanup = RemoveOnDrop(work.clone());
    bundle::write(&out.join("course-starters.tar.gz"), &work)
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
    let browser = util::var_os("CHROMIUM")
        .map_or("chromium".into(), |b| b.to_string_lossy().into_owned());
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

#[cfg(test)]
mod tests {
    use crate::util::{capture, cmd, root};

    /// The PDF checks catch a planted mention of a page the edition lacks
    /// and a Markdown table printed as code (their planted cases live in
    /// ci/handout-check.py, next to the checks; removing either check
    /// fails them).
    #[test]
    fn the_print_checks_catch_planted_mentions_and_raw_tables() {
        let script = root().join("ci/handout-check.py");
        let mut c = cmd(&["python3", &script.to_string_lossy(), "selftest"]);
        c.current_dir(root());
        let (ok, out) = capture(c).expect("python3 runs");
        assert!(ok, "handout-check.py selftest failed:\n{out}");
    }
}
