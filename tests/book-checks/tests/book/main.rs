//! Checks of the book itself, run by `cargo test -p book-checks`.
//!
//! - every Rust block is run by something: `mdbook test` (inline, std-only)
//!   or `cargo test` (an include of a file in a workspace crate that cargo compiles);
//! - every `{{#include}}` path and anchor resolves;
//! - every chapter file is in `SUMMARY.md`, and every relative link resolves,
//!   `#fragment` included;
//! - README's generated tables are the files their commands saved;
//! - no chapter uses a shared helper or a glossary term before it is
//!   explained, unless it links to the explanation;
//! - the book stays readable in length: at most 50,000 words, no chapter
//!   over 5,500, listings and shown outputs counted as the reader sees them.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use book_checks::{
    Page, Term, first_use_problems, is_compiled, is_measured_table,
    is_typed_output,
};
use book_model::{
    includes::{expand_includes, includes_in},
    markdown::{
        code_blocks, fragment_ids, generated_block, heading_ids, links,
        normalize_id, summary_chapters, tables, word_count,
    },
    markers::{anchored_lines, region},
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
                let lines: Vec<&str> = listing.lines().collect();
                if let Err(e) = region(&lines, anchor) {
                    let (chapter, path) = (short(&chapter), &include.path);
                    problems.push(format!("{chapter}: {path}: {e}"));
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

/// Every shown output is generated (`cargo xtask outputs` makes it from
/// the command its `OUTPUT` marker declares, and CI compares): a chapter
/// never types one. A console or text block with a `$ ` line must be an
/// include of a generated file, and so must a table of counts or timings.
#[test]
fn no_output_is_typed_into_a_chapter() {
    let mut problems = Vec::new();
    let mut checked = (0, 0);
    for (chapter, text) in chapters() {
        for block in code_blocks(&text) {
            checked.0 += 1;
            if is_typed_output(&block) {
                let first = block.text.lines().next().unwrap_or("");
                problems.push(format!(
                    "{}: a typed output block starting `{first}`: make it an \
                     include of a generated file (CONTRIBUTING.md, \
                     \"Generated outputs\")",
                    short(&chapter)
                ));
            }
        }
        for table in tables(&text) {
            checked.1 += 1;
            if is_measured_table(&table) {
                problems.push(format!(
                    "{}: a typed table of counts or timings (header: {}): \
                     include a generated file instead",
                    short(&chapter),
                    table[0].join(" | ")
                ));
            }
        }
    }
    assert!(
        checked.0 >= 50,
        "found only {} code blocks: are the chapters being read?",
        checked.0
    );
    assert!(
        problems.is_empty(),
        "Outputs typed by hand:\n{}",
        problems.join("\n")
    );
}

/// Within a chapter, no two headings share an id: a link to the second
/// would land on the first, and readers meet the same title twice.
#[test]
fn no_chapter_repeats_a_heading() {
    let mut problems = Vec::new();
    for (chapter, text) in chapters() {
        let mut seen = BTreeSet::new();
        for id in heading_ids(&text) {
            if !seen.insert(id.clone()) {
                problems
                    .push(format!("{}: heading #{id} twice", short(&chapter)));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "Repeated headings:\n{}",
        problems.join("\n")
    );
}

/// The widest line the book's code column and the A4 handout show without
/// cutting or wrapping; rustfmt.toml's max_width is the same.
const MAX_WIDTH: usize = 80;

/// Every line of every included listing, as the book shows it (the region,
/// dedented, the tool's marker comments left out), fits in 80 columns.
#[test]
fn every_included_listing_line_fits_the_page() {
    let mut problems = Vec::new();
    let mut lines_checked = 0;
    for (chapter, text) in chapters() {
        for block in code_blocks(&text).into_iter().filter(|b| b.is_rust()) {
            for include in block.includes() {
                let Some(file) = resolve(&chapter, &include.path) else {
                    continue;
                }; // reported by the include check
                let source = fs::read_to_string(&file).unwrap();
                let shown = match &include.anchor {
                    Some(anchor) => mdbook_listings::region::dedent(
                        &anchored_lines(&source, anchor),
                    ),
                    None => source,
                };
                for line in shown.lines() {
                    lines_checked += 1;
                    let width = line.chars().count();
                    if width > MAX_WIDTH {
                        problems.push(format!(
                            "{} ({}): {width} columns: {line}",
                            short(&file),
                            include.anchor.as_deref().unwrap_or("whole file")
                        ));
                    }
                }
            }
        }
    }
    assert!(
        lines_checked >= 500,
        "only {lines_checked} listing lines found"
    );
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} listing lines wider than {MAX_WIDTH} columns (cargo fmt wraps \
         code; wrap long comments and strings by hand):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// README.md shows the table of the two test runners between markers that
/// `cargo xtask bench-runners --write` rewrites; the book includes the
/// file that command saved. The two must be the same text: a table typed
/// into README, or one left behind by an older run, fails here.
#[test]
fn readme_shows_the_runners_table_the_command_saved() {
    let root = book_root();
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let saved = "listings/testdb/output/runners.md";
    let file = fs::read_to_string(root.join(saved))
        .unwrap_or_else(|e| panic!("{saved}: {e}"));
    let block = generated_block(&readme, "runners").unwrap_or_else(|| {
        panic!(
            "README.md has no block between `<!-- runners: generated by \
             cargo xtask bench-runners --write -->` and `<!-- /runners -->`"
        )
    });
    let first = file.lines().next().unwrap_or("").trim_matches('`');
    assert_eq!(
        first.strip_prefix("$ "),
        Some(block.command),
        "README's marker names `{}`, {saved} starts with `{first}`",
        block.command
    );
    assert_eq!(
        readme[block.body].trim(),
        file.trim(),
        "README.md's runners block differs from {saved}: run `cargo xtask \
         bench-runners --write`, which writes both"
    );
}

/// The whole book, read cover to cover, at most this many words.
const MAX_BOOK_WORDS: usize = 50_000;
/// One chapter, read in one sitting, at most this many words.
const MAX_CHAPTER_WORDS: usize = 5_500;

/// A chapter's text with every include replaced by what the reader sees:
/// the anchored region (the tool's marker lines left out), or the whole
/// file (a generated output). Captions are written by the preprocessor at
/// build time and are not in the text, so they are not counted.
fn expanded(chapter: &Path, text: &str) -> String {
    expand_includes(text, |include| {
        let file = resolve(chapter, &include.path)?;
        let source = fs::read_to_string(file).ok()?;
        Some(match &include.anchor {
            Some(anchor) => anchored_lines(&source, anchor),
            None => source,
        })
    })
}

/// The chapters in the order `SUMMARY.md` lists them, each with its
/// expanded text.
fn chapters_in_reading_order() -> Vec<(String, String)> {
    let src = book_root().join("src");
    let summary = fs::read_to_string(src.join("SUMMARY.md")).unwrap();
    summary_chapters(&summary)
        .into_iter()
        .map(|name| {
            let path = src.join(&name);
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, expanded(&path, &text))
        })
        .collect()
}

/// Words per chapter, in reading order, listings and outputs expanded.
fn word_counts() -> Vec<(String, usize)> {
    let counts: Vec<(String, usize)> = chapters_in_reading_order()
        .into_iter()
        .map(|(name, text)| (name, word_count(&text)))
        .collect();
    assert!(counts.len() >= 15, "only {} chapters found", counts.len());
    counts
}

/// Words per chapter, listings and outputs expanded, printed every run
/// (`cargo test -p book-checks --test book -- word --nocapture`); a
/// chapter past 5,500 words fails.
#[test]
fn no_chapter_is_longer_than_its_word_limit() {
    let counts = word_counts();
    for (name, n) in &counts {
        eprintln!("{n:>7}  {name}");
    }
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    eprintln!("{total:>7}  total");
    let long: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > MAX_CHAPTER_WORDS)
        .map(|(name, n)| format!("{name}: {n} words"))
        .collect();
    assert!(
        long.is_empty(),
        "Chapters past {MAX_CHAPTER_WORDS} words: move internals to an \
         appendix, say each idea once and link to it:\n{}",
        long.join("\n")
    );
}

/// The whole book, cover to cover, at most 50,000 words.
#[test]
fn the_book_is_no_longer_than_its_word_limit() {
    let total: usize = word_counts().iter().map(|(_, n)| n).sum();
    assert!(
        total <= MAX_BOOK_WORDS,
        "the book is {total} words, past {MAX_BOOK_WORDS}: say each idea \
         once, move internals to an appendix"
    );
}

/// The shared helpers, each with the chapter that explains it. A chapter
/// before that one may use the helper only with a link to it.
const HELPERS: &[(&str, &str)] = &[
    ("#[tokio::test]", "test-tools.md"),
    ("assert_fails_because", "test-tools.md"),
    ("spawn_app(", "first-test.md"),
    ("fresh_database", "first-test.md"),
    ("email_outbox", "first-test.md"),
    ("Mock::given", "doubles.md"),
    ("email_client_for_tests", "doubles.md"),
    ("DEADLINE", "doubles.md"),
    ("RetryPolicy", "failure-modes.md"),
    ("spawn_retrying_app", "failure-modes.md"),
    ("within(", "jobs.md"),
    ("wait_for_line", "jobs.md"),
    ("poll(", "flaky.md"),
    ("ManualClock", "flaky.md"),
    ("spawn_reporting_app", "when-a-test-fails.md"),
];

/// Glossary entries whose heading is not the word chapters write: the
/// word to look for instead (`Dead (job)` is `dead job`, not "dead code").
const GLOSSARY_WORDS: &[(&str, &str)] = &[
    ("Dead (job)", "dead job"),
    ("Write-ahead log (WAL)", "write-ahead log"),
    ("Flaky test", "flaky test"),
    // The glossary's claim is a worker's claim of a job; testdb's "a
    // process claims a clone" is explained where it is used.
    ("Claim", "claim a job"),
];

/// Every shared helper and every glossary term, as the check reads them.
fn terms() -> Vec<Term> {
    let mut terms: Vec<Term> = HELPERS
        .iter()
        .map(|(used_as, home)| Term {
            used_as: used_as.to_string(),
            home: home.to_string(),
            in_code: true,
        })
        .collect();
    let glossary =
        fs::read_to_string(book_root().join("src/glossary.md")).unwrap();
    for heading in glossary.lines().filter_map(|l| l.strip_prefix("## ")) {
        let word = GLOSSARY_WORDS
            .iter()
            .find(|(h, _)| *h == heading)
            .map_or(heading, |(_, word)| word);
        terms.push(Term {
            used_as: word.to_string(),
            home: format!("glossary.md#{}", normalize_id(heading)),
            in_code: false,
        });
    }
    assert!(terms.len() >= 40, "only {} terms found", terms.len());
    terms
}

/// The chapters in reading order, as the first-use check reads them.
fn pages() -> Vec<Page> {
    let src = book_root().join("src");
    chapters_in_reading_order()
        .into_iter()
        .map(|(name, expanded)| Page {
            markdown: fs::read_to_string(src.join(&name)).unwrap(),
            name,
            expanded,
        })
        .collect()
}

/// "Each chapter stands on its own": no chapter uses a shared helper
/// (`within`, `spawn_app`, `ManualClock`…) in its text or its listings
/// before the chapter that explains it, unless it links there; and the
/// first chapter to use a glossary term links to its entry or defines it
/// in bold.
#[test]
fn no_chapter_uses_a_helper_or_term_before_it_is_explained() {
    let problems = first_use_problems(&pages(), &terms());
    assert!(
        problems.is_empty(),
        "Used before explained (explain it there, link to where it is \
         explained, or move the use later):\n{}",
        problems.join("\n")
    );
}

/// The first-use check is awake: a `ManualClock` planted in the
/// introduction, long before the flaky-tests chapter explains it, fails.
#[test]
fn the_first_use_check_fails_on_a_planted_early_use() {
    let mut pages = pages();
    assert_eq!(pages[0].name, "introduction.md");
    pages[0]
        .expanded
        .push_str("\nlet clock = ManualClock::new();\n");
    let problems = first_use_problems(&pages, &terms());
    assert!(
        problems
            .iter()
            .any(|p| { p.starts_with("introduction.md: uses `ManualClock`") }),
        "the planted use was not reported: {problems:?}"
    );
}
