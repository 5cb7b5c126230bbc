//! What the book checks look for, as functions over the book's model
//! (`book_model::markdown`), so each rule can be tested on a small example
//! before it is run on the real book.

use std::path::{Path, PathBuf};

use book_model::markdown::{CodeBlock, links, prose};

/// A name a chapter may use only once it is explained: a shared helper
/// (`within`, `spawn_app`) or a glossary term.
#[derive(Debug, Clone)]
pub struct Term {
    /// What a chapter writes when it uses the term (`within(`, `outbox`).
    pub used_as: String,
    /// The chapter that explains it (`flaky.md`), or `glossary.md#id` for
    /// a glossary term, which any chapter may explain in bold instead.
    pub home: String,
    /// A helper is used in code (listings included); a glossary term is
    /// used in prose.
    pub in_code: bool,
}

/// A chapter for the first-use check: its file name, its Markdown as
/// written (for links and bold definitions), and its text with includes
/// expanded (for uses in listings).
pub struct Page {
    pub name: String,
    pub markdown: String,
    pub expanded: String,
}

/// Whether `text` holds `word` as a word (case-insensitive, a plural `s`
/// allowed): `claims` uses `claim`, `reclaim` does not. A `word` that
/// starts or ends with punctuation (`within(`, `#[tokio::test]`) is
/// matched as written.
pub fn uses_word(text: &str, word: &str) -> bool {
    uses_word_cased(&text.to_lowercase(), &word.to_lowercase())
}

/// [`uses_word`], case-sensitive: a helper's name (`DEADLINE` is not the
/// word "deadline").
pub fn uses_word_cased(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let start = from + at;
        let end = start + word.len();
        let before = text[..start].chars().next_back();
        let mut after = text[end..].chars();
        let next = after.next();
        let starts_ok =
            !word.starts_with(is_word) || !before.is_some_and(is_word);
        let ends_ok = !word.ends_with(is_word)
            || match next {
                None => true,
                Some('s') => !after.next().is_some_and(is_word),
                Some(c) => !is_word(c),
            };
        if starts_ok && ends_ok {
            return true;
        }
        from = end;
    }
    false
}

/// Whether a page links to `target` (`flaky.md`, any fragment; or
/// `glossary.md#lease`, that fragment).
fn links_to(page: &Page, target: &str) -> bool {
    let (file, fragment) = match target.split_once('#') {
        Some((file, fragment)) => (file, Some(fragment)),
        None => (target, None),
    };
    links(&page.markdown).iter().any(|link| {
        let (path, frag) = match link.split_once('#') {
            Some((path, frag)) => (path, Some(frag)),
            None => (link.as_str(), None),
        };
        let path = if path.is_empty() {
            page.name.as_str()
        } else {
            path
        };
        path.trim_start_matches("./") == file
            && fragment.is_none_or(|f| frag == Some(f))
    })
}

/// Whether a page defines a term by emphasis, as this book introduces one:
/// `**lease**`, `*advisory lock*`, `A **[fake](…)**`.
fn defines_in_bold(page: &Page, word: &str) -> bool {
    let text = page.markdown.to_lowercase();
    let word = word.to_lowercase();
    text.match_indices('*').any(|(at, _)| {
        let after = text[at + 1..].trim_start_matches('[');
        after.starts_with(&word)
    })
}

/// The first-use rule, in reading order: a chapter that uses a helper
/// before the chapter that explains it links to that chapter; the first
/// chapter that uses a glossary term links to its entry or defines it in
/// bold or italics. One line per chapter that breaks it.
pub fn first_use_problems(pages: &[Page], terms: &[Term]) -> Vec<String> {
    let mut problems = Vec::new();
    for term in terms {
        let home_file = term.home.split('#').next().unwrap_or("");
        let glossary = home_file == "glossary.md";
        let home = pages.iter().find(|p| p.name == home_file);
        if !glossary
            && home.is_none_or(|h| !uses_word_cased(&h.expanded, &term.used_as))
        {
            problems.push(format!(
                "{home_file}: is where `{}` is explained, and never uses it",
                term.used_as
            ));
        }
        for page in pages {
            if page.name == home_file {
                break;
            }
            let (text, link_text) = prose(&page.markdown);
            let used = if term.in_code {
                uses_word_cased(&page.expanded, &term.used_as)
            } else {
                uses_word(&text, &term.used_as)
            };
            if !used {
                continue;
            }
            // A term in a link's text is a pointer to where it is
            // explained (a chapter's title in a timetable, say).
            let explained = links_to(page, &term.home)
                || (glossary
                    && (defines_in_bold(page, &term.used_as)
                        || uses_word(&link_text, &term.used_as)));
            if !explained {
                problems.push(format!(
                    "{}: uses `{}` before {} explains it, without a link there",
                    page.name, term.used_as, term.home
                ));
            }
            if glossary {
                break; // only the first use needs the link
            }
        }
    }
    problems
}

/// Whether cargo compiles `file` as part of its crate: it is a target root,
/// or a sibling root declares `mod <stem>;`. Good enough for the flat module
/// trees the listings use.
pub fn is_compiled(file: &Path) -> bool {
    let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    let Some(dir) = file.parent() else {
        return false;
    };
    let dir_name = dir.file_name().and_then(|s| s.to_str()).unwrap_or("");
    let parent_name = dir
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let is_root = matches!(stem, "lib" | "main" | "build")
        && matches!(dir_name, "src" | "tests" | "examples" | "benches")
        || stem == "main"
            && matches!(parent_name, "tests" | "examples" | "benches" | "bin")
        || matches!(dir_name, "tests" | "bin" | "examples" | "benches");
    if is_root {
        return true;
    }
    let declared = |root: PathBuf| {
        std::fs::read_to_string(root).is_ok_and(|text| {
            text.lines().any(|l| {
                let l = l.trim();
                let l = l.strip_prefix("pub ").unwrap_or(l);
                l == format!("mod {stem};")
                    || l.starts_with(&format!("mod {stem} "))
            })
        })
    };
    ["main.rs", "lib.rs", "mod.rs"]
        .iter()
        .any(|root| declared(dir.join(root)))
        || declared(dir.with_extension("rs"))
}

/// Whether a code block shows a typed output: a `console`/`text`/`sh`
/// block with a `$ ` line and something the command printed (a line that
/// is not a command, its `\` continuation, a `#` comment or blank), and
/// that is not an include of a generated file. A block of commands alone
/// is an instruction to the reader, not an output.
pub fn is_typed_output(block: &CodeBlock) -> bool {
    let kind = block.attributes().next().unwrap_or("");
    let shell = matches!(kind, "console" | "text" | "sh" | "shell" | "");
    if !shell || !block.includes().is_empty() {
        return false;
    }
    let mut has_command = false;
    let mut has_printed = false;
    let mut continued = false;
    for line in block.text.lines() {
        let command = line.starts_with("$ ");
        if command {
            has_command = true;
        } else if !continued
            && !line.trim().is_empty()
            && !line.trim_start().starts_with('#')
        {
            has_printed = true;
        }
        continued = (command || continued) && line.trim_end().ends_with('\\');
    }
    has_command && has_printed
}

/// A measured figure: a duration (`4.6 s`, `12 ms`, `1.5 min`).
fn is_timing(cell: &str) -> bool {
    let cell = cell.trim();
    let digits: String = cell
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    let unit = cell[digits.len()..].trim();
    !digits.is_empty()
        && digits.chars().any(|c| c.is_ascii_digit())
        && matches!(unit, "s" | "ms" | "µs" | "us" | "min" | "ns")
}

/// Whether a typed table is a table of counts or timings: a cell holds a
/// duration, or a header names a measurement (time, median, p95, passed…)
/// and its column holds numbers.
pub fn is_measured_table(rows: &[Vec<String>]) -> bool {
    let Some((head, body)) = rows.split_first() else {
        return false;
    };
    let measuring = [
        "ms",
        "time",
        "median",
        "p95",
        "p99",
        "passed",
        "failed",
        "tests run",
        "count",
        "runs",
        "seconds",
    ];
    let numeric = |c: &str| {
        let c = c.trim().trim_end_matches('%');
        !c.is_empty() && c.parse::<f64>().is_ok()
    };
    body.iter().flatten().any(|c| is_timing(c))
        || head.iter().enumerate().any(|(i, h)| {
            let h = h.to_lowercase();
            let words: Vec<&str> =
                h.split(|c: char| !c.is_alphanumeric()).collect();
            let names = measuring.iter().any(|m| {
                words.contains(m) || (m.contains(' ') && h.contains(m))
            });
            names && body.iter().all(|r| r.get(i).is_some_and(|c| numeric(c)))
        })
}

#[cfg(test)]
mod tests {
    use book_model::markdown::{code_blocks, tables};

    use super::*;

    /// A console block with a typed `$ ` line is a typed output; the same
    /// block as an include of a generated file is not.
    #[test]
    fn a_console_block_with_a_dollar_line_is_typed_output() {
        let typed = "```console\n$ cargo test\nok\n```\n";
        let included =
            "```console\n{{#include ../listings/a/output/x.txt}}\n```\n";
        let commands_only = "```console\n$ cargo test \\\n  -p a\n```\n";
        assert!(is_typed_output(&code_blocks(typed)[0]));
        assert!(!is_typed_output(&code_blocks(commands_only)[0]));
        assert!(!is_typed_output(&code_blocks(included)[0]));
    }

    /// A table of timings or counts is measured; a table of words is not.
    #[test]
    fn a_table_of_timings_or_counts_is_a_measurement() {
        let timings = "| kind | wall time |\n|---|---|\n| unit | 2.2 s |\n";
        let counts = "| kind | passed |\n|---|---:|\n| unit | 10 |\n";
        let words = "| chapter | needs |\n|---|---|\n| one | Docker |\n";
        assert!(is_measured_table(&tables(timings)[0]));
        assert!(is_measured_table(&tables(counts)[0]));
        assert!(!is_measured_table(&tables(words)[0]));
    }

    fn page(name: &str, markdown: &str) -> Page {
        Page {
            name: name.into(),
            markdown: markdown.into(),
            expanded: markdown.into(),
        }
    }

    /// A helper used before its chapter fails the rule unless the page
    /// links there; after its chapter, it is free to use.
    #[test]
    fn a_helper_used_before_its_chapter_needs_a_link() {
        let within = Term {
            used_as: "within(".into(),
            home: "jobs.md".into(),
            in_code: true,
        };
        let early = page("a.md", "`within(DEADLINE, f)` waits.");
        let linked =
            page("a.md", "`within(…)` ([see](jobs.md#every-wait-ends))");
        let home = || page("jobs.md", "`within(…)` is this:");
        let later = page("z.md", "`within(…)` again");
        let problems = first_use_problems(
            &[early, home(), later],
            std::slice::from_ref(&within),
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("a.md: uses `within(`"));
        assert!(
            first_use_problems(
                &[linked, home()],
                std::slice::from_ref(&within)
            )
            .is_empty()
        );
        let gone = first_use_problems(&[page("jobs.md", "nothing")], &[within]);
        assert_eq!(gone.len(), 1, "a home that never uses it: {gone:?}");
    }

    /// A glossary term's first use links to its entry or defines it in
    /// bold; a word inside a longer word is not a use.
    #[test]
    fn a_glossary_terms_first_use_links_or_defines_it() {
        let lease = Term {
            used_as: "lease".into(),
            home: "glossary.md#lease".into(),
            in_code: false,
        };
        let undefined = page("a.md", "The worker renews its leases.");
        let bold = page("a.md", "It writes a **lease**: a time.");
        let italic = page("a.md", "It writes a *lease*: a time.");
        let linked = page("a.md", "Its [lease](glossary.md#lease) ends.");
        let other = page(
            "a.md",
            "Please release it; `lease` in code; [Leases](jobs.md).",
        );
        let check =
            |p: Page| first_use_problems(&[p], std::slice::from_ref(&lease));
        assert_eq!(check(undefined).len(), 1);
        assert!(check(bold).is_empty());
        assert!(check(italic).is_empty());
        assert!(check(linked).is_empty());
        assert!(check(other).is_empty());
    }

    #[test]
    fn a_module_file_is_compiled_only_when_declared() {
        let dir = std::env::temp_dir()
            .join(format!("book-checks-{}", std::process::id()));
        let tests = dir.join("tests").join("api");
        std::fs::create_dir_all(&tests).unwrap();
        std::fs::write(tests.join("main.rs"), "mod declared;\n").unwrap();
        assert!(is_compiled(&tests.join("declared.rs")));
        assert!(!is_compiled(&tests.join("forgotten.rs")));
        assert!(is_compiled(&tests.join("main.rs")));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
