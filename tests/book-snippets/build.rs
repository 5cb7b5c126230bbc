//! Turns the inline Rust blocks of every chapter into tests (skeptic).
//!
//! Blocks fenced `ignore` are the included listings, which `cargo test` runs
//! in their own crates; they are left out here rather than generated as
//! ignored tests, so every test this crate reports is one that really runs.
//!
//! Every other Rust block must be std-only (```` ```rust ```` or
//! ```` ```rust,should_panic ````): any other attribute (`rust,deps`,
//! `no_run`, …) stops the build with the fix, make it a listing.
//!
//! skeptic 0.13 writes the tests; we then point them at our own runner in
//! `tests/skeptic.rs`, plain `rustc --edition=2024` as `mdbook test` uses.
//! skeptic's own runner would be a dependency of the tests, and it finds
//! the crates to link by parsing cargo's package ids in a form cargo
//! stopped producing (1.77).

use std::{fs, path::Path};

fn main() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../src");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    println!("cargo:rerun-if-changed={}", src.display());

    let mut inputs = Vec::new();
    let mut chapters: Vec<_> = fs::read_dir(&src)
        .expect("the book's src/ directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    chapters.sort();
    for chapter in chapters
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
    {
        let text = fs::read_to_string(chapter).expect("a readable chapter");
        let kept = without_ignored_blocks(&text).unwrap_or_else(|problem| {
            panic!("src/{}:{problem}", chapter.file_name().unwrap().display())
        });
        // The copy keeps the chapter's file name, so test names still say
        // which chapter (and section) a block comes from.
        let copy = Path::new(&out_dir).join(chapter.file_name().unwrap());
        // Written only when it changed: skeptic asks cargo to watch these
        // copies, and a copy rewritten on every run would look changed to
        // the next build, which would then run this script again, always.
        if fs::read_to_string(&copy).ok().as_deref() != Some(kept.as_str()) {
            fs::write(&copy, kept).expect("write into OUT_DIR");
        }
        println!("cargo:rerun-if-changed={}", chapter.display());
        inputs.push(copy.to_string_lossy().into_owned());
    }
    skeptic::generate_doc_tests(&inputs);

    let generated = Path::new(&out_dir).join("skeptic-tests.rs");
    let tests =
        fs::read_to_string(&generated).expect("skeptic wrote its tests");
    let tests = tests
        .replace("extern crate skeptic;", "")
        .replace("skeptic::rt::run_test(", "crate::run_snippet(")
        .replace("skeptic::rt::compile_test(", "crate::compile_snippet(");
    fs::write(&generated, tests).expect("rewrite the generated tests");
}

/// The attributes an inline (run) Rust block may have: skeptic and
/// `mdbook test` compile it with rustc alone, so it can use std only.
const INLINE: [&str; 2] = ["rust", "should_panic"];

/// The chapter with every fenced block whose info string says `ignore`
/// blanked out (lines kept, so line numbers in test names stay true), or
/// the line of a block that would run but is not a std-only Rust block.
fn without_ignored_blocks(text: &str) -> Result<String, String> {
    let mut out = String::new();
    // The fence of the open block, and whether it is blanked out.
    let mut open: Option<(String, bool)> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let fence: String = trimmed.chars().take_while(|c| *c == '`').collect();
        let info = trimmed[fence.len()..].trim();
        let blank = match &open {
            Some((opening, skip)) => {
                let skip = *skip;
                if fence.len() >= 3
                    && fence.len() >= opening.len()
                    && info.is_empty()
                {
                    open = None;
                }
                skip
            }
            None if fence.len() >= 3 => {
                let attributes: Vec<&str> = info
                    .split([',', ' '])
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .collect();
                let skip = attributes.contains(&"ignore");
                // skeptic runs a block tagged `rust`, or with no tag at all.
                let runs = !skip
                    && (attributes.is_empty() || attributes.contains(&"rust"));
                if runs && !attributes.iter().all(|a| INLINE.contains(a)) {
                    return Err(format!(
                        "{}: ```{info} can't run inline (std only: ```rust or \
                         ```rust,should_panic); make it a listing, included \
                         by anchor in ```rust,ignore (CONTRIBUTING.md)",
                        number + 1
                    ));
                }
                if attributes.is_empty() {
                    return Err(format!(
                        "{}: a fence with no language is taken for Rust; \
                         name it (```text, ```console, ```rust)",
                        number + 1
                    ));
                }
                open = Some((fence, skip));
                skip
            }
            None => false,
        };
        if !blank {
            out.push_str(line);
        }
        out.push('\n');
    }
    Ok(out)
}
