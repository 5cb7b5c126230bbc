//! `cargo xtask spelling`: spelling in the chapters, the listings (their
//! comments are shown in the book), the tools and the contributor docs,
//! with `typos` (PyPI). It flags known misspellings, not unknown words; the
//! project's deliberate spellings are in _typos.toml.

use anyhow::{Result, bail};

use crate::{tools, util};

const PATHS: [&str; 6] = [
    "src",
    "listings",
    "ci",
    "tests",
    "CONTRIBUTING.md",
    "README.md",
];
/// The book, its listings and tools are at least this many files.
const MIN_FILES: usize = 100;

#[derive(clap::Args)]
pub struct Args {
    /// Let typos correct what it can (review the diff), instead of
    /// failing on it.
    #[arg(long)]
    fix: bool,
}

pub fn run(args: Args) -> Result<()> {
    if args.fix {
        return fix();
    }
    check()
}

/// Lets typos correct what it can.
pub fn fix() -> Result<()> {
    tools::ensure_pip("typos", "typos")?;
    let mut c = util::cmd(&["typos", "--write-changes"]);
    c.args(PATHS);
    util::exec(c)
}

/// Fails on any misspelling, or when fewer files than expected are read.
pub fn check() -> Result<()> {
    tools::ensure_pip("typos", "typos")?;
    let mut list = util::cmd(&["typos", "--files"]);
    list.args(PATHS);
    let (_, files) = util::capture(list)?;
    let files = files.lines().count();
    util::at_least("files to spell-check", files, MIN_FILES)?;
    let mut check = util::cmd(&["typos", "--format", "brief"]);
    check.args(PATHS);
    let (ok, out) = util::capture(check)?;
    if !ok {
        print!("{out}");
        bail!(
            "fix the words above, or add a deliberate spelling to \
             _typos.toml with a reason"
        );
    }
    println!("spelling: {files} files checked, 0 typos");
    Ok(())
}
