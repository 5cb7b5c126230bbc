//! What the student bundle says, as opposed to the book's sources: the
//! chapters without instructor notes and without mentions of the pages a
//! student does not get, and a README that starts them off.

use std::fs;

use anyhow::{Context, Result};

use crate::exercises::Exercise;

/// The pages only the instructor gets: left out of the bundle and of the
/// student PDF, so no page a student has may point at them.
pub const INSTRUCTOR_PAGES: &[&str] =
    &["running-the-course.md", "solutions.md"];

/// Where the instructor notes start in a chapter's Markdown.
const NOTES_OPEN: &str = "<details class=\"instructor-notes\">";

/// A chapter as a student gets it: each instructor-notes `<details>` block
/// gone, and each sentence that links to an instructor page gone (the
/// "Solution: appendix." lines). A link that is not alone in a sentence
/// a student needs keeps its text and loses its target.
pub fn student_chapter(markdown: &str) -> String {
    let mut out = Vec::new();
    let mut in_notes = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with(NOTES_OPEN) {
            in_notes = true;
        }
        if in_notes {
            in_notes = !line.contains("</details>");
            continue;
        }
        out.push(line);
    }
    let text = out.join("\n");
    let blocks: Vec<String> = blocks(&text)
        .into_iter()
        .filter_map(|b| without_mentions(&b))
        .collect();
    let mut joined = blocks.join("\n\n");
    joined.push('\n');
    joined
}

/// The Markdown's blocks, split at blank lines, a fenced code block always
/// whole (it may hold blank lines).
fn blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if line.trim().is_empty() && !in_code {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
            continue;
        }
        current.push(line);
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

fn links_to_instructor_page(text: &str) -> bool {
    INSTRUCTOR_PAGES
        .iter()
        .any(|p| text.contains(&format!("]({p}")))
}

/// A block without the sentences that point at an instructor page; None
/// when nothing is left of it. A code block is never touched.
fn without_mentions(block: &str) -> Option<String> {
    if !links_to_instructor_page(block) || block.starts_with("```") {
        return Some(block.to_owned());
    }
    let prose = !block.starts_with(['-', '*', '|', '#', '<', '>', '1']);
    if !prose {
        return Some(unlink(block));
    }
    let flat = block.lines().collect::<Vec<_>>().join(" ");
    let kept: Vec<&str> = sentences(&flat)
        .into_iter()
        .filter(|s| !links_to_instructor_page(s))
        .collect();
    if kept.is_empty() {
        return None;
    }
    Some(unlink(&kept.join(" ")))
}

/// `[text](solutions.md#x)` → `text`.
fn unlink(text: &str) -> String {
    let pages = INSTRUCTOR_PAGES.join("|").replace('.', r"\.");
    let re = regex::Regex::new(&format!(r"\[([^\]]*)\]\((?:{pages})[^)]*\)"))
        .expect("a valid pattern");
    re.replace_all(text, "$1").into_owned()
}

/// A paragraph's sentences: each ends at `.`, `?` or `!` before a space
/// (or the end), which leaves `e.g.` inside code spans as it is.
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        let end = matches!(b, b'.' | b'?' | b'!')
            && bytes.get(i + 1).is_none_or(|n| *n == b' ');
        if end {
            out.push(text[start..=i].trim());
            start = i + 1;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push(text[start..].trim());
    }
    out
}

/// One exercise as the README lists it.
pub struct Listed<'a> {
    pub exercise: &'a Exercise,
    /// The chapter that includes its starter: (file, title).
    pub chapter: (String, String),
    /// The task, from `#[ignore = "exercise starter: <task>"]`.
    pub task: String,
}

/// The chapter that includes the exercise's starter, and the task its
/// `#[ignore]` states.
pub fn listed(e: &Exercise) -> Result<Listed<'_>> {
    let include = format!("../{}:starter}}}}", e.starter().display());
    let mut chapter = None;
    for entry in fs::read_dir("src")?.flatten() {
        let text = fs::read_to_string(entry.path()).unwrap_or_default();
        if text.contains(&include) {
            let title = text
                .lines()
                .find_map(|l| l.strip_prefix("# "))
                .unwrap_or_default()
                .trim()
                .to_owned();
            let file = entry.file_name().to_string_lossy().into_owned();
            chapter = Some((file, title));
        }
    }
    let starter = fs::read_to_string(e.starter())?;
    let task = starter
        .split("exercise starter: ")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("see the chapter")
        .to_owned();
    Ok(Listed {
        exercise: e,
        chapter: chapter.with_context(|| {
            format!(
                "no chapter includes {include}: add the starter to the \
                 chapter its exercise belongs to"
            )
        })?,
        task,
    })
}

/// The command that runs one exercise's starter.
pub fn command(e: &Exercise) -> String {
    format!(
        "cargo test -p {} --test {} -- --ignored {}::starter",
        e.package, e.binary, e.module
    )
}

/// The bundle's README: what to do first, then one line per exercise.
pub fn readme(title: &str, exercises: &[Listed]) -> String {
    let mut out = format!(
        "# {title}: the course starters\n\n\
         ## Start here\n\n\
         This folder is the book's workspace as a student gets it: every \
         chapter in `src/`, every listing in `listings/`, and each exercise \
         as a *starter*, a test that fails until you solve it. The solutions \
         are not in it; your instructor goes through them after each \
         exercise.\n\n\
         1. Set up your machine as `src/setup.md` says (Rust, a C compiler, \
         PostgreSQL's server binaries or a `DATABASE_URL`; Docker for one \
         chapter only).\n\
         2. In this folder, run `cargo xtask warm-up`. It downloads and \
         builds everything (the long part, do it before the day), runs one \
         test against a database, and says what is missing and how to get \
         it. It ends with `ready for the course` when all is well.\n\
         3. Read the book in `src/` (or run `mdbook serve --open`), or the \
         student PDF.\n\n\
         ## The exercises\n\n\
         Each starter is an ignored test: run it with its command, read why \
         it fails, make it pass. Chapter, file, command:\n\n"
    );
    for (n, l) in exercises.iter().enumerate() {
        out.push_str(&format!(
            "{}. {} (`src/{}`): {}. File `{}`, run `{}`\n",
            n + 1,
            l.chapter.1,
            l.chapter.0,
            l.task,
            l.exercise.starter().display(),
            command(l.exercise)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solution_sentence_goes_and_the_rest_of_its_paragraph_stays() {
        let md = "Make it pass.\nThen break it? Solution:\n\
                  [appendix](solutions.md#first-test).\n";
        let out = student_chapter(md);
        assert_eq!(out, "Make it pass. Then break it?\n", "{out}");
    }

    #[test]
    fn a_paragraph_that_is_only_a_solution_link_goes() {
        let md = "Before.\n\nSolution: [appendix](solutions.md#x).\n\nAfter.";
        assert_eq!(student_chapter(md), "Before.\n\nAfter.\n");
    }

    #[test]
    fn instructor_notes_go_whole() {
        let md = "Text.\n\n<details class=\"instructor-notes\">\n\
                  <summary>Notes</summary>\n\nThe answer is 42.\n\n\
                  </details>\n\nMore.";
        assert_eq!(student_chapter(md), "Text.\n\nMore.\n");
    }

    #[test]
    fn a_link_in_a_list_keeps_its_text_only() {
        let md = "- see [Running the course](running-the-course.md) too";
        assert_eq!(student_chapter(md), "- see Running the course too\n");
    }

    #[test]
    fn code_blocks_are_left_alone() {
        let md = "```text\na. b\n\n[x](solutions.md)\n```";
        assert_eq!(student_chapter(md), format!("{md}\n"));
    }
}
