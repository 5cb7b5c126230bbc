//! Checks of the book itself, run by `cargo test -p book-checks`.
//!
//! - every Rust block is run by something: `mdbook test` (inline, std-only)
//!   or `cargo test` (an include of a file in a workspace crate that cargo compiles);
//! - every `{{#include}}` path and anchor resolves;
//! - every chapter file is in `SUMMARY.md`, and every relative link resolves,
//!   `#fragment` included.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use book_checks::{
    code_blocks, fragment_ids, has_anchor, includes_in, is_compiled, links,
    summary_chapters,
};

fn book_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every Markdown file under `src/`, with its text.
fn chapters() -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut dirs = vec![book_root().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let text = fs::read_to_string(&path).unwrap();
                found.push((path, text));
            }
        }
    }
    found.sort();
    found
}

fn short(path: &Path) -> String {
    path.strip_prefix(book_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The crates of the workspace, from the root `Cargo.toml`'s `members`.
fn workspace_members() -> BTreeSet<PathBuf> {
    let manifest = fs::read_to_string(book_root().join("Cargo.toml")).unwrap();
    let members = manifest
        .split("members")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .unwrap_or("");
    members
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|m| {
            book_root().join(m).canonicalize().unwrap_or_else(|_| {
                panic!("workspace member {m} does not exist")
            })
        })
        .collect()
}

/// Resolves a chapter-relative path; `None` if the file doesn't exist.
fn resolve(chapter: &Path, relative: &str) -> Option<PathBuf> {
    chapter.parent().unwrap().join(relative).canonicalize().ok()
}

/// Each Rust block is either run by `mdbook test` (inline) or is an include
/// of a file that `cargo test` compiles, fenced `ignore` so `mdbook test`,
/// which can't link the listing's crates, leaves it to cargo.
#[test]
fn every_rust_block_is_run_by_mdbook_test_or_cargo_test() {
    let members = workspace_members();
    let mut problems = Vec::new();
    let mut counted = (0, 0);
    for (chapter, text) in chapters() {
        for block in code_blocks(&text).into_iter().filter(|b| b.is_rust()) {
            let includes = block.includes();
            let first_line =
                block.text.lines().next().unwrap_or("").to_string();
            if includes.is_empty() {
                counted.0 += 1;
                if block.has("ignore") || block.has("no_run") {
                    problems.push(format!("{}: inline block `{first_line}` is fenced ignore/no_run, so nothing runs it", short(&chapter)));
                }
                continue;
            }
            counted.1 += 1;
            if !block.has("ignore") {
                problems.push(format!("{}: included block `{first_line}` must be fenced rust,ignore (cargo test runs it)", short(&chapter)));
            }
            for include in includes {
                let Some(file) = resolve(&chapter, &include.path) else {
                    continue;
                }; // reported by the include check
                let in_member = members.iter().any(|m| file.starts_with(m));
                if !in_member || !is_compiled(&file) {
                    problems.push(format!(
                        "{}: includes {}, which no workspace crate compiles",
                        short(&chapter),
                        include.path
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "Rust blocks nothing runs:\n{}",
        problems.join("\n")
    );
    eprintln!(
        "rust blocks: {} inline (mdbook test), {} included listings (cargo test)",
        counted.0, counted.1
    );
}

#[test]
fn every_include_path_and_anchor_resolves() {
    let mut problems = Vec::new();
    for (chapter, text) in chapters() {
        for include in includes_in(&text) {
            let Some(file) = resolve(&chapter, &include.path) else {
                problems.push(format!(
                    "{}: {{{{#include {}}}}}: no such file",
                    short(&chapter),
                    include.path
                ));
                continue;
            };
            if let Some(anchor) = &include.anchor {
                let listing = fs::read_to_string(&file).unwrap();
                if !has_anchor(&listing, anchor) {
                    problems.push(format!(
                        "{}: {}: no ANCHOR/ANCHOR_END pair named `{anchor}`",
                        short(&chapter),
                        include.path
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "Unresolved includes:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_chapter_file_is_in_the_summary() {
    let src = book_root().join("src");
    let summary = fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    let listed: BTreeSet<PathBuf> = summary_chapters(&summary)
        .iter()
        .filter_map(|c| src.join(c).canonicalize().ok())
        .collect();
    let missing: Vec<String> = chapters()
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| {
            path.file_name().unwrap() != "SUMMARY.md" && !listed.contains(path)
        })
        .map(|path| short(&path))
        .collect();
    assert!(
        missing.is_empty(),
        "chapter files missing from SUMMARY.md: {missing:?}"
    );
    for chapter in summary_chapters(&summary) {
        assert!(
            src.join(&chapter).is_file(),
            "SUMMARY.md lists {chapter}, which does not exist"
        );
    }
}

#[test]
fn every_relative_link_and_fragment_resolves() {
    let mut problems = Vec::new();
    for (chapter, text) in chapters() {
        for link in links(&text) {
            if link.contains("://")
                || link.starts_with("mailto:")
                || link.is_empty()
            {
                continue;
            }
            let (path, fragment) = match link.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (link.as_str(), None),
            };
            let target = if path.is_empty() {
                Some(chapter.clone())
            } else {
                resolve(&chapter, path)
            };
            let Some(target) = target else {
                problems.push(format!(
                    "{}: link to {link}: no such file",
                    short(&chapter)
                ));
                continue;
            };
            if let Some(fragment) = fragment {
                let ids = if target.extension().is_some_and(|e| e == "md") {
                    fragment_ids(&fs::read_to_string(&target).unwrap())
                } else {
                    Vec::new()
                };
                if !ids.iter().any(|id| id == fragment) {
                    problems.push(format!("{}: link to {link}: no heading or anchor `#{fragment}` there", short(&chapter)));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "Broken links:\n{}",
        problems.join("\n")
    );
}

/// Every output file a chapter shows is generated: either `ci/update-outputs`
/// re-runs its command and compares (CI fails on a difference), or it is a
/// measurement listed as `#measured` whose first line is the command that
/// produced it. Nothing typed by hand.
#[test]
fn every_shown_output_is_compared_or_a_listed_measurement() {
    let list = fs::read_to_string(book_root().join("ci/outputs.list")).unwrap();
    let compared: BTreeSet<&str> = list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .collect();
    let measured: BTreeSet<&str> = list
        .lines()
        .filter_map(|l| l.strip_prefix("#measured\t"))
        .collect();
    let mut problems = Vec::new();
    for (chapter, text) in chapters() {
        for include in includes_in(&text)
            .into_iter()
            .filter(|i| i.path.contains("/output/"))
        {
            let Some(file) = resolve(&chapter, &include.path) else {
                continue;
            }; // reported by the include check
            let relative = short(&file);
            if compared.contains(relative.as_str()) {
                continue;
            }
            if !measured.contains(relative.as_str()) {
                problems.push(format!("{}: shows {relative}, which ci/outputs.list neither compares nor lists as #measured", short(&chapter)));
            } else if !["$ ", "`$ "].iter().any(|start| {
                fs::read_to_string(&file).unwrap().starts_with(start)
            }) {
                // "`$ …`" is for a measured Markdown table, included outside a code block.
                problems.push(format!("{relative}: a measured output must start with `$ <the command that produced it>`"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "Output blocks not generated by a listed command:\n{}",
        problems.join("\n")
    );
}
