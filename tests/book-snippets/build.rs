//! Turns the inline Rust blocks of every chapter into tests (skeptic).
//!
//! Blocks fenced `ignore` are the included listings, which `cargo test` runs
//! in their own crates; they are left out here rather than generated as
//! ignored tests, so every test this crate reports is one that really runs.
//!
//! skeptic 0.13 writes the tests; we then point them at our own runner in
//! `tests/skeptic.rs`. Its own runner finds rlibs by parsing cargo's package
//! ids in the old `name version source` form, which cargo stopped producing
//! (1.77), so it passes no `--extern` and every crate import fails; and with
//! only `-L target/debug/deps` rustc meets several builds of tokio (E0464).

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
        let kept = without_ignored_blocks(&text);
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

/// The chapter with every fenced block whose info string says `ignore`
/// blanked out (lines kept, so line numbers in test names stay true).
fn without_ignored_blocks(text: &str) -> String {
    let mut out = String::new();
    let mut skipping: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        match &skipping {
            Some(fence)
                if trimmed.starts_with(fence.as_str())
                    && trimmed.trim_start_matches('`').trim().is_empty() =>
            {
                skipping = None;
                out.push('\n');
                continue;
            }
            Some(_) => {
                out.push('\n');
                continue;
            }
            None => {}
        }
        if trimmed.starts_with("```") {
            let fence: String =
                trimmed.chars().take_while(|c| *c == '`').collect();
            let info = &trimmed[fence.len()..];
            if info.split([',', ' ']).any(|a| a.trim() == "ignore") {
                skipping = Some(fence);
                out.push('\n');
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
