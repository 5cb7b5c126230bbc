//! `cargo xtask workflows`: lints the GitHub Actions workflows the book
//! gives readers (ci/github/*.yml), offline, without running them:
//!
//! - check-jsonschema with its bundled GitHub workflow schema: will GitHub
//!   accept the file (keys, types, required fields)?
//! - zizmor --offline: is it safe (actions pinned to commits, no
//!   credentials left in .git/config, no `${{ }}` pasted into scripts)?
//!
//! Then it plants one mistake of each kind in a copy and checks each tool
//! catches it, so a linter that silently checks nothing can't pass.

// OUTPUT: /listings/containers/output/check-workflows.txt \
//   $ cargo xtask workflows

use anyhow::{Result, bail};

use crate::{tools, util};

/// The book ships at least this many workflows.
const MIN_WORKFLOWS: usize = 2;

fn schema_ok(file: &str) -> Result<bool> {
    Ok(util::capture(util::cmd(&[
        "check-jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
        file,
    ]))?
    .0)
}

fn zizmor_ok(file: &str) -> Result<bool> {
    Ok(util::capture(util::cmd(&["zizmor", "--offline", "--quiet", file]))?.0)
}

pub fn check() -> Result<()> {
    // Both from PyPI (actionlint's PyPI package downloads a binary while it
    // installs, which fails on a machine that reaches only registries).
    tools::ensure_pip("check-jsonschema", "check-jsonschema")?;
    tools::ensure_pip("zizmor", "zizmor")?;
    let root = util::root();
    let mut files: Vec<String> = std::fs::read_dir(root.join("ci/github"))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yml"))
                .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    util::at_least("workflows in ci/github", files.len(), MIN_WORKFLOWS)?;
    for f in &files {
        if !schema_ok(f)? {
            util::exec(util::cmd(&[
                "check-jsonschema",
                "--builtin-schema",
                "vendor.github-workflows",
                f,
            ]))?;
        }
        if !zizmor_ok(f)? {
            util::exec(util::cmd(&["zizmor", "--offline", f]))?;
        }
    }
    // Planted mistakes, in copies of the first workflow.
    let first = std::fs::read_to_string(root.join(&files[0]))?;
    let planted = std::env::temp_dir()
        .join(format!("xtask-planted-{}.yml", std::process::id()));
    let planted_str = planted.display().to_string();
    // 1. A job without `runs-on`: GitHub rejects the file.
    let no_runs_on: String = first
        .lines()
        .filter(|l| !l.contains("runs-on:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&planted, no_runs_on)?;
    let caught_schema = !schema_ok(&planted_str)?;
    // 2. An action pinned to a tag that can be moved: zizmor objects.
    let tagged: String = first
        .lines()
        .map(|l| match l.split_once("uses: actions/checkout@") {
            Some((head, _)) => format!("{head}uses: actions/checkout@v7\n"),
            None => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&planted, tagged)?;
    let caught_zizmor = !zizmor_ok(&planted_str)?;
    std::fs::remove_file(&planted)?;
    if !caught_schema {
        bail!("check-jsonschema accepted a job without runs-on");
    }
    if !caught_zizmor {
        bail!("zizmor accepted an action pinned to a tag");
    }
    println!(
        "workflows: {} checked with check-jsonschema and zizmor, 2 planted \
         mistakes caught",
        files.len()
    );
    Ok(())
}
