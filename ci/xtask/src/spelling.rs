//! `cargo xtask spelling [--fix]`: spelling in the chapters, the listings
//! (their comments are shown in the book), the tools and the contributor
//! docs, with `typos` (PyPI). It flags known misspellings, not unknown
//! words; the project's deliberate spellings are in _typos.toml.
//! `--fix` lets typos correct what it can (review the diff).

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

pub fn run(args: &[String]) -> Result<()> {
    tools::ensure_pip("typos", "typos")?;
    if args.iter().any(|a| a == "--fix") {
        let mut c = util::cmd(&["typos", "--write-changes"]);
        c.args(PATHS);
        return util::exec(c);
    }
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
