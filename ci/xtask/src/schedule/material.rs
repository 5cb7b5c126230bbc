//! A chapter as the schedule sees it: its sections with their minutes
//! markers, what each covers (words of prose, lines of listing, with the
//! includes expanded as a reader gets them), its instructor notes, and the
//! chapters its "You need" line names.

use std::fs;

use anyhow::{Context, Result, bail};

/// How a section is taught.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// In both plans.
    Core,
    /// In the two-day plan; reading on one day.
    Optional,
    /// In neither plan: the students read it (too long to run live, or
    /// for later).
    Reading,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub minutes: u32,
    pub exercise: bool,
    pub level: Level,
    /// Words of prose a reader reads (instructor notes not counted).
    pub words: usize,
    /// Lines of code blocks, listings included, a reader sees.
    pub code_lines: usize,
    /// The instructor notes' text (empty when there are none).
    pub notes: String,
    /// The Rust listings it shows, in order: (path from `src/`, anchor).
    pub listings: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone)]
pub struct Chapter {
    pub file: String,
    pub title: String,
    pub sections: Vec<Section>,
    /// Earlier chapters its "You need" line names (files).
    pub needs: Vec<String>,
}

/// `minutes: 15 exercise optional` → (15, exercise, level).
pub fn parse_marker(line: &str) -> Option<Result<(u32, bool, Level)>> {
    let inner = line
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim()
        .strip_prefix("minutes:")?;
    let mut words = inner.split_whitespace();
    let parsed = (|| {
        let minutes: u32 = words
            .next()
            .context("no number after `minutes:`")?
            .parse()
            .context("minutes must be a whole number")?;
        let (mut exercise, mut level) = (false, Level::Core);
        for w in words {
            match w {
                "exercise" => exercise = true,
                "optional" => level = Level::Optional,
                "reading" => level = Level::Reading,
                other => bail!(
                    "unknown word `{other}` in a minutes marker (known: \
                     exercise, optional, reading)"
                ),
            }
        }
        Ok((minutes, exercise, level))
    })();
    Some(parsed)
}

/// Lines of `path` between `ANCHOR: name` and `ANCHOR_END: name`, or the
/// whole file; None when the file is not there.
fn region(path: &str, anchor: Option<&str>) -> Option<String> {
    let text = fs::read_to_string(format!("src/{path}")).ok()?;
    Some(match anchor {
        Some(name) => book_model::markers::anchored_lines_raw(&text, name),
        None => text,
    })
}

/// Words and code lines of a section's Markdown, includes expanded; its
/// instructor notes apart.
fn measure(markdown: &str) -> (usize, usize, String) {
    let (mut prose, mut notes) = (String::new(), String::new());
    let mut in_notes = false;
    for line in markdown.lines() {
        if line.contains("<details class=\"instructor-notes\">") {
            in_notes = true;
        }
        let target = if in_notes { &mut notes } else { &mut prose };
        target.push_str(line);
        target.push('\n');
        if line.contains("</details>") {
            in_notes = false;
        }
    }
    let expanded = book_model::includes::expand_includes(&prose, |inc| {
        region(&inc.path, inc.anchor.as_deref().map(|a| a.trim()))
    });
    let (mut words, mut code) = (String::new(), 0);
    let mut in_code = false;
    for line in expanded.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if in_code {
            // `# ` lines of a Rust block are hidden from the reader.
            let hidden = line.starts_with("# ") || line.trim() == "#";
            code += usize::from(!line.trim().is_empty() && !hidden);
        } else {
            words.push_str(line);
            words.push('\n');
        }
    }
    (book_model::markdown::word_count(&words), code, notes)
}

/// The chapters named in the `**You need:**` block quote: linked ones,
/// and the whole range of "the chapters from [A] to [B]".
fn needs(text: &str, order: &[String]) -> Vec<String> {
    let quote: String = text
        .lines()
        .skip_while(|l| !l.contains("**You need:**"))
        .take_while(|l| l.starts_with('>'))
        .collect::<Vec<_>>()
        .join(" ");
    let linked: Vec<String> = quote
        .split("](")
        .skip(1)
        .filter_map(|r| r.split_once(".md").map(|(f, _)| format!("{f}.md")))
        .filter(|f| order.contains(f))
        .collect();
    if quote.contains("the chapters from")
        && let [from, to, ..] = linked.as_slice()
    {
        let pos = |f: &String| order.iter().position(|o| o == f);
        if let (Some(a), Some(b)) = (pos(from), pos(to)) {
            return order[a..=b].to_vec();
        }
    }
    linked
}

/// Reads a chapter's headings, markers and material. Headings in code
/// blocks are code; the closing recap (`recap`) belongs to the section
/// before it.
pub fn read_chapter(
    file: &str,
    order: &[String],
    recap: &str,
    problems: &mut Vec<String>,
) -> Result<Chapter> {
    let text = fs::read_to_string(format!("src/{file}"))
        .with_context(|| format!("cannot read src/{file}"))?;
    let mut chapter = Chapter {
        file: file.to_owned(),
        title: String::new(),
        sections: Vec::new(),
        needs: needs(&text, order),
    };
    let mut bodies: Vec<String> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut in_code = false;
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        let heading = match (
            in_code,
            line.strip_prefix("# "),
            line.strip_prefix("## "),
        ) {
            (false, Some(t), _) => {
                chapter.title = t.trim().to_owned();
                Some(t)
            }
            (false, _, Some(t)) if t.trim() != recap => Some(t),
            _ => None,
        };
        let Some(heading) = heading else {
            if let Some(body) = bodies.last_mut() {
                body.push_str(line);
                body.push('\n');
            }
            continue;
        };
        let next = lines[i + 1..].iter().find(|l| !l.trim().is_empty());
        let (minutes, exercise, level) =
            match next.and_then(|l| parse_marker(l)) {
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    problems.push(format!("src/{file}: {heading}: {e}"));
                    (0, false, Level::Core)
                }
                None => {
                    problems.push(format!(
                        "src/{file}: `{heading}` has no `<!-- minutes: N -->` \
                     line under it"
                    ));
                    (0, false, Level::Core)
                }
            };
        chapter.sections.push(Section {
            title: heading.trim().to_owned(),
            minutes,
            exercise,
            level,
            words: 0,
            code_lines: 0,
            notes: String::new(),
            listings: Vec::new(),
        });
        bodies.push(String::new());
    }
    for (s, body) in chapter.sections.iter_mut().zip(&bodies) {
        (s.words, s.code_lines, s.notes) = measure(body);
        s.listings = book_model::includes::includes_in(body)
            .into_iter()
            .filter(|i| {
                i.path.ends_with(".rs") && !i.path.contains("/exercises/")
            })
            .map(|i| (i.path, i.anchor.map(|a| a.trim().to_owned())))
            .collect();
    }
    Ok(chapter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_of_chapters_is_every_chapter_in_it() {
        let order: Vec<String> =
            ["a.md", "b.md", "c.md", "d.md"].map(String::from).to_vec();
        let text = "# T\n\n> **You need:** the chapters from [A](a.md) to\n\
                    > [C](c.md).\n";
        assert_eq!(needs(text, &order), ["a.md", "b.md", "c.md"]);
    }

    #[test]
    fn markers_know_reading() {
        let m = parse_marker("<!-- minutes: 5 reading -->")
            .unwrap()
            .unwrap();
        assert_eq!(m, (5, false, Level::Reading));
        assert!(parse_marker("<!-- minutes: 5 later -->").unwrap().is_err());
    }
}
