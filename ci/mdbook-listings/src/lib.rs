//! An mdBook preprocessor that puts a caption on every included listing.
//!
//! A chapter shows code by including an anchored region of a file in a
//! workspace crate (see `CONTRIBUTING.md`):
//!
//! ````markdown
//! ```rust,ignore
//! {{#include ../listings/user-service/tests/api/first_test.rs:first_test}}
//! ```
//! ````
//!
//! Before mdBook's `links` preprocessor replaces the include with the code,
//! this one reads the same region and writes a caption above the block:
//!
//! - **Listing N.M**: N is the chapter's number, M counts listings in it;
//! - the file's path inside its crate (`tests/api/first_test.rs`);
//! - one line saying what the listing proves: the text after the anchor name
//!   on the `// ANCHOR:` line if there is any, else the first sentence of the
//!   `///` doc of the first test in the region, else of the first function;
//! - the exact command that runs it (`cargo test -p … --test … -- --exact …`);
//! - for a listing that fails on purpose (`#[ignore = "broken on purpose: …"]`
//!   or a `// BROKEN ON PURPOSE:` comment in the region), a visible mark, the
//!   failure to expect, and the command that shows it failing.
//!
//! Modules: [`region`] reads the Rust code (through `book_model`, the book's
//! one reader of markers and test items), [`target`] finds the crate and the
//! cargo target a file belongs to, [`caption`] writes the HTML, and this file
//! walks the chapters (their code blocks and includes read by `book_model`
//! too).

pub mod caption;
pub mod region;
pub mod target;

use std::{ops::Range, path::Path};

use book_model::{
    includes::Include,
    markdown::{self, CodeBlock},
    markers,
    test_items::Item,
};
use mdbook_preprocessor::{
    Preprocessor, PreprocessorContext,
    book::{Book, BookItem},
    errors::Result,
};

/// The preprocessor, as mdBook sees it.
pub struct Listings;

impl Preprocessor for Listings {
    fn name(&self) -> &str {
        "listings"
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        let src_dir = ctx.root.join(&ctx.config.book.src);
        let mut unnumbered = 0;
        let mut error = None;
        book.for_each_mut(|item| {
            let BookItem::Chapter(chapter) = item else {
                return;
            };
            let Some(source_path) = &chapter.source_path else {
                return;
            };
            // Numbered chapters use their number ("2"); prefix and suffix
            // chapters (the introduction, appendices) get letters A, B, ….
            let label = match &chapter.number {
                Some(number) => number
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join("."),
                None => {
                    unnumbered += 1;
                    char::from(b'A' + (unnumbered - 1) % 26).to_string()
                }
            };
            let chapter_dir = src_dir
                .join(source_path)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| src_dir.clone());
            match caption_chapter(&chapter.content, &chapter_dir, &label) {
                Ok(content) => chapter.content = content,
                Err(e) => {
                    error.get_or_insert(format!(
                        "{}: {e}",
                        source_path.display()
                    ));
                }
            }
        });
        match error {
            Some(e) => Err(mdbook_preprocessor::errors::Error::msg(e)),
            None => Ok(book),
        }
    }

    /// Captions are plain HTML and Markdown, which every renderer accepts:
    /// `html` shows them, `test` (used by `mdbook test`) ignores everything
    /// but code blocks, and the code blocks themselves are left untouched.
    fn supports_renderer(&self, _renderer: &str) -> Result<bool> {
        Ok(true)
    }
}

/// Returns `markdown` with a caption above every fenced Rust block that
/// includes a listing. `chapter_dir` resolves the include paths; `label` is the
/// chapter's part of the listing number.
pub fn caption_chapter(
    markdown: &str,
    chapter_dir: &Path,
    label: &str,
) -> std::result::Result<String, String> {
    let insertions = including_blocks(markdown);
    let mut out =
        String::with_capacity(markdown.len() + insertions.len() * 400);
    let mut copied = 0;
    for (number, (include, block)) in insertions.into_iter().enumerate() {
        let number = format!("{label}.{}", number + 1);
        let file = chapter_dir.join(&include.path);
        let listing = describe(&file, include.anchor.as_deref())
            .map_err(|e| format!("listing {number} ({}): {e}", include.path))?;
        if listing.proves.is_none() {
            // A warning, not an error: the caption is still true, only shorter.
            eprintln!(
                "mdbook-listings: listing {number} ({}{}) has no line saying what it proves: \
                 add one after the anchor name on its ANCHOR line, or a `///` doc to its first item",
                include.path,
                include
                    .anchor
                    .as_deref()
                    .map(|a| format!(":{a}"))
                    .unwrap_or_default()
            );
        }
        // The caption goes on the line(s) before the fence, indented like the
        // fence so that a listing inside a list item stays inside it.
        let line_start =
            markdown[..block.start].rfind('\n').map_or(0, |i| i + 1);
        let indent: String = markdown[line_start..block.start]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        out.push_str(&markdown[copied..line_start]);
        for line in caption::render(&number, &listing).lines() {
            out.push_str(&indent);
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
        let shown = &markdown[line_start..block.end];
        out.push_str(&shown_block(shown, &include, &file)?);
        copied = block.end;
    }
    out.push_str(&markdown[copied..]);
    Ok(out)
}

/// Every fenced Rust block that includes a listing: its first include, and
/// where the block stands.
fn including_blocks(markdown: &str) -> Vec<(Include, Range<usize>)> {
    markdown::code_blocks(markdown)
        .into_iter()
        .filter(CodeBlock::is_rust)
        .filter_map(|b| Some((b.includes().into_iter().next()?, b.range)))
        .collect()
}

/// The code block as the page shows it. An anchored region is put in here,
/// dedented, so a region from inside a `mod` or an `impl` doesn't carry its
/// indentation onto the page; mdBook's `links` would include it as is.
/// Whole-file includes and `rustdoc_include` are left to `links`.
fn shown_block(
    block: &str,
    include: &Include,
    file: &Path,
) -> std::result::Result<String, String> {
    let (Some(anchor), Some(at)) = (&include.anchor, block.find("{{#include "))
    else {
        return Ok(block.to_string());
    };
    let close = block[at..]
        .find("}}")
        .map(|c| at + c + 2)
        .expect("includes_in found the closing braces");
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let region = region::dedent(&markers::anchored_lines(&text, anchor));
    Ok(format!("{}{region}{}", &block[..at], &block[close..]))
}

/// Everything a caption says about one listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// Path inside the listing's crate, with `/` separators.
    pub path_in_crate: String,
    /// One sentence (Markdown) saying what the listing proves.
    pub proves: Option<String>,
    /// The command that runs it.
    pub command: String,
    /// How the caption introduces `command`: "Run it" when it runs exactly
    /// this listing (or the program it is), "Used by the tests in" / "Tested
    /// by" when the listing has no test of its own (a helper, library code)
    /// and `command` runs the tests that use it.
    pub run_label: &'static str,
    /// Set when the listing fails on purpose.
    pub broken: Option<Broken>,
    /// Set when the listing is an exercise's starter: an ignored test marked
    /// `#[ignore = "exercise starter: <task>"]` that fails until solved.
    pub exercise: Option<Exercise>,
}

/// An exercise starter: what the reader has to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    /// The task, from the `ignore` reason after "exercise starter:".
    pub task: String,
}

/// What a reader should expect from a listing that fails on purpose.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    /// The failure to expect, from the `ignore` reason or the marker comment.
    pub reason: String,
    /// The command that runs the broken test alone and shows it failing.
    pub show_failure: Option<String>,
}

/// Reads the listing at `file` (region `anchor`) and works out its caption.
pub fn describe(
    file: &Path,
    anchor: Option<&str>,
) -> std::result::Result<Listing, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let found = region::analyse(&text, anchor)?;
    let target = target::find(file)?;
    let runnable = tests_ignored_for(&found, None);
    // Exercise starters are ignored tests too, but they fail until the reader
    // solves them, not on purpose: they get their own mark (see `Exercise`).
    let starters = tests_ignored_for(&found, Some("exercise"));
    // Only a test ignored as "broken on purpose" fails on purpose. Others are
    // ignored because another test runs them in a child process (with its
    // own environment, say); they pass there and get no warning mark.
    let ignored = tests_ignored_for(&found, Some("broken on purpose"));

    let base = target.cargo_command(
        !runnable.is_empty() || !ignored.is_empty() || !starters.is_empty(),
    );
    let (command, run_label) = command(&target, &base, &runnable, &starters);
    let broken =
        broken_reason(&ignored, found.broken_marker.clone()).map(|reason| {
            Broken {
                reason,
                show_failure: (!ignored.is_empty()).then(|| {
                    let names = full_names(&target, &ignored);
                    format!("{base} -- --ignored --exact {names}")
                }),
            }
        });
    let exercise = starters.first().map(|f| Exercise {
        task: f
            .ignore_reason
            .as_deref()
            .unwrap_or_default()
            .trim_start_matches("exercise starter")
            .trim_start_matches("exercise")
            .trim_start_matches([':', ' '])
            .to_string(),
    });
    Ok(Listing {
        path_in_crate: target.path_in_crate,
        proves: proves(&found),
        command,
        run_label,
        broken,
        exercise,
    })
}

/// What the listing proves: the note on its ANCHOR line, else the first
/// sentence of the doc of its first broken test, first test or first item.
fn proves(found: &region::Region) -> Option<String> {
    found.anchor_note.clone().or_else(|| {
        let functions = &found.functions;
        let first_test = functions
            .iter()
            .find(|f| f.is_test && f.ignore_reason.is_none());
        let first_broken = functions.iter().find(|f| f.ignore_reason.is_some());
        let first_documented = functions.iter().find(|f| f.doc.is_some());
        // The first of these with a doc: an undocumented test gives way to
        // the documented helper it calls.
        [first_broken, first_test, first_documented]
            .into_iter()
            .flatten()
            .find_map(|f| f.doc.as_deref())
            .map(|doc| {
                region::first_sentence(&region::without_intra_doc_links(doc))
            })
    })
}

/// The region's tests that are not ignored (`reason` `None`), or ignored for
/// a reason starting with `reason`.
fn tests_ignored_for<'a>(
    found: &'a region::Region,
    reason: Option<&str>,
) -> Vec<&'a Item> {
    let ignored_so = |f: &&Item| match reason {
        None => f.ignore_reason.is_none(),
        Some(start) => f
            .ignore_reason
            .as_deref()
            .is_some_and(|r| r.starts_with(start)),
    };
    found
        .functions
        .iter()
        .filter(|f| f.is_test && ignored_so(f))
        .collect()
}

/// The command that runs the listing, and how the caption introduces it (see
/// [`Listing::run_label`]).
fn command(
    target: &target::Target,
    base: &str,
    runnable: &[&Item],
    starters: &[&Item],
) -> (String, &'static str) {
    if !starters.is_empty() {
        let names = full_names(target, starters);
        let command = format!("{base} -- --ignored --exact {names}");
        (command, "Run it (it fails until you solve it)")
    } else if !runnable.is_empty() {
        let names = full_names(target, runnable);
        (format!("{base} -- --exact {names}"), "Run it")
    } else if target.kind == target::Kind::Lib {
        // Library code with no test of its own: every test of the crate
        // uses it.
        (format!("cargo test -p {}", target.package), "Tested by")
    } else if target.is_program() {
        (base.to_string(), "Run it")
    } else {
        (base.to_string(), "Used by the tests in")
    }
}

/// The failure to expect from a listing that fails on purpose: the reason
/// its first "broken on purpose" test gives, else its marker comment's.
fn broken_reason(ignored: &[&Item], marker: Option<String>) -> Option<String> {
    ignored
        .iter()
        .find_map(|f| f.ignore_reason.as_deref())
        .map(|r| {
            r.trim_start_matches("broken on purpose")
                .trim_start_matches([':', ' '])
                .to_string()
        })
        .filter(|r| !r.is_empty())
        .or(marker)
}

/// The functions' paths inside their cargo target, space-separated, the way
/// `--exact` takes them.
fn full_names(target: &target::Target, functions: &[&Item]) -> String {
    let full_name = |f: &&Item| {
        target
            .module_path
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(f.qualified.as_str()))
            .collect::<Vec<_>>()
            .join("::")
    };
    functions
        .iter()
        .map(full_name)
        .collect::<Vec<_>>()
        .join(" ")
}
