//! `cargo xtask book`: the book model (SUMMARY and chapters,
//! read with pulldown-cmark), then `mdbook build` once and `mdbook test`.
//! `cargo xtask browser`: walks the built book in Chromium.
//!
//! The inline Rust blocks, std-only, are run by `cargo test -p
//! book-snippets` (skeptic) and by `mdbook test`, as a reader's would.

use std::path::Path;

use anyhow::{Context, Result};

use crate::{tools, util};

/// The book has at least this many chapters in SUMMARY.md.
pub const MIN_CHAPTERS: usize = 12;

/// The chapter files SUMMARY.md links to, in order.
pub fn chapters(root: &Path) -> Result<Vec<String>> {
    let summary = std::fs::read_to_string(root.join("src/SUMMARY.md"))
        .unwrap_or_default();
    Ok(book_model::markdown::summary_chapters(&summary)
        .into_iter()
        .filter(|c| c.ends_with(".md"))
        .collect())
}

#[derive(clap::Args)]
pub struct Args {
    /// Only read the book model: no mdbook build, no mdbook test.
    #[arg(long)]
    no_build: bool,
}

pub fn run(args: Args) -> Result<()> {
    if args.no_build {
        return summary_chapters().map(drop);
    }
    build_and_test()
}

/// The chapters SUMMARY.md links to, counted; too few fail.
fn summary_chapters() -> Result<Vec<String>> {
    let chapters = chapters(&util::root())?;
    println!("book: {} chapters in SUMMARY.md", chapters.len());
    util::at_least("chapters in SUMMARY.md", chapters.len(), MIN_CHAPTERS)?;
    Ok(chapters)
}

/// The book model, then `mdbook build` once and `mdbook test`.
pub fn build_and_test() -> Result<()> {
    let root = util::root();
    let chapters = summary_chapters()?;
    tools::ensure_mdbook()?;
    util::exec(util::cmd(&["mdbook", "build"]))?;
    let pages = html_pages(&root.join("book"))?;
    println!("mdbook build: {pages} pages");
    util::at_least("built pages", pages, chapters.len())?;
    util::exec(util::cmd(&["mdbook", "test"]))?;
    Ok(())
}

fn html_pages(dir: &Path) -> Result<usize> {
    let mut n = 0;
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d)
            .with_context(|| format!("no built book in {}", d.display()))?
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                n += 1;
            }
        }
    }
    Ok(n)
}

/// `cargo xtask browser`: the built book (book/, built by `cargo xtask
/// book`, or built here when missing) walked page by page in Debian's
/// Chromium, driven by Playwright from PyPI (ci/browser-check.py).
pub fn walk_in_browser() -> Result<()> {
    let root = util::root();
    tools::ensure_chromium()?;
    tools::ensure_python_module("playwright.sync_api", "playwright")?;
    if !root.join("book/index.html").is_file() {
        tools::ensure_mdbook()?;
        util::exec(util::cmd(&["mdbook", "build"]))?;
    }
    let min = chapters(&root)?.len().max(MIN_CHAPTERS).to_string();
    let mut walk = util::cmd(&["python3", "ci/browser-check.py", "book"]);
    walk.arg(min);
    if util::var_os("CHROMIUM").is_none() {
        walk.env("CHROMIUM", "chromium");
    }
    util::exec(walk)
}
