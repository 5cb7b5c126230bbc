//! A chapter's Markdown, parsed the way mdBook parses it (pulldown-cmark):
//! its code blocks, prose, links, heading ids and tables; `SUMMARY.md`'s
//! chapter list; the words a reader reads; and the blocks a command writes
//! into a Markdown file.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::includes::{Include, includes_in};

/// A fenced code block: its info string (`rust,ignore`), its text and where
/// it stands in the chapter (the fences included).
#[derive(Debug, PartialEq)]
pub struct CodeBlock {
    pub info: String,
    pub text: String,
    pub range: Range<usize>,
}

impl CodeBlock {
    pub fn is_rust(&self) -> bool {
        self.attributes().next() == Some("rust")
    }

    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.info
            .split([',', ' '])
            .map(str::trim)
            .filter(|a| !a.is_empty())
    }

    pub fn has(&self, attribute: &str) -> bool {
        self.attributes().any(|a| a == attribute)
    }

    /// The `{{#include …}}`s in the block, if any.
    pub fn includes(&self) -> Vec<Include> {
        includes_in(&self.text)
    }
}

fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES,
    )
}

pub fn code_blocks(markdown: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<CodeBlock> = None;
    for (event, range) in parser(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some(CodeBlock {
                    info: info.to_string(),
                    text: String::new(),
                    range,
                });
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.text.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

/// Words a reader reads: whitespace-separated tokens holding a letter or
/// a digit (so `}` and `//` are not words, `spawn_app()` is one), outside
/// code fences' info strings and HTML comments (`<!-- minutes: 5 -->` is for the tools, never shown).
pub fn word_count(text: &str) -> usize {
    let mut shown = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        shown.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => rest = "",
        }
    }
    shown.push_str(rest);
    shown
        .split_whitespace()
        .filter(|w| !w.starts_with("```"))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// The prose of a chapter (text outside code blocks and inline code), and
/// the part of it that is a link's text.
pub fn prose(markdown: &str) -> (String, String) {
    let (mut all, mut linked) = (String::new(), String::new());
    let mut in_block = false;
    let mut in_link = 0;
    for event in parser(markdown) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_block = true,
            Event::End(TagEnd::CodeBlock) => in_block = false,
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => {
                in_link -= 1;
                linked.push(' ');
            }
            Event::Text(text) if !in_block => {
                all.push_str(&text);
                all.push(' ');
                if in_link > 0 {
                    linked.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => all.push(' '),
            _ => {}
        }
    }
    (all, linked)
}

/// Link destinations in a chapter, as written.
pub fn links(markdown: &str) -> Vec<String> {
    parser(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .collect()
}

/// The ids a chapter's headings get in the HTML, computed the way mdBook
/// does, plus any explicit `{#id}` and `<a id="…">` the chapter declares.
pub fn fragment_ids(markdown: &str) -> Vec<String> {
    ids(markdown, true)
}

/// Headings of a chapter, as mdBook's ids (explicit `{#id}` or computed).
pub fn heading_ids(markdown: &str) -> Vec<String> {
    ids(markdown, false)
}

/// The headings' ids, in order, with the HTML's `id="…"`s among them if
/// `with_html`.
fn ids(markdown: &str, with_html: bool) -> Vec<String> {
    let mut ids = Vec::new();
    let mut heading: Option<(String, Option<String>)> = None;
    for event in parser(markdown) {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                heading = Some((String::new(), id.map(|i| i.to_string())))
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((title, _)) = heading.as_mut() {
                    title.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((title, explicit)) = heading.take() {
                    ids.push(explicit.unwrap_or_else(|| normalize_id(&title)));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) if with_html => {
                let mut rest: &str = &html;
                while let Some(at) = rest.find("id=\"") {
                    let value = &rest[at + 4..];
                    let Some(end) = value.find('"') else { break };
                    ids.push(value[..end].to_string());
                    rest = &value[end..];
                }
            }
            _ => {}
        }
    }
    ids
}

/// mdBook's heading id: lower-case, spaces to `-`, only letters, digits, `-` and `_` kept.
pub fn normalize_id(title: &str) -> String {
    title
        .trim()
        .chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() || c == '_' || c == '-' => {
                Some(c.to_ascii_lowercase())
            }
            c if c.is_whitespace() => Some('-'),
            _ => None,
        })
        .collect()
}

/// The chapter files `SUMMARY.md` links to.
pub fn summary_chapters(summary: &str) -> Vec<String> {
    links(summary)
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect()
}

/// The tables of a chapter typed as Markdown, each as its rows of cells.
pub fn tables(markdown: &str) -> Vec<Vec<Vec<String>>> {
    let mut tables = Vec::new();
    let mut table: Option<Vec<Vec<String>>> = None;
    for event in parser(markdown) {
        match event {
            Event::Start(Tag::Table(_)) => table = Some(Vec::new()),
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.push(Vec::new());
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(row) = table.as_mut().and_then(|t| t.last_mut()) {
                    row.push(String::new());
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(cell) = table
                    .as_mut()
                    .and_then(|t| t.last_mut())
                    .and_then(|r| r.last_mut())
                {
                    cell.push_str(&text);
                }
            }
            Event::End(TagEnd::Table) => tables.extend(table.take()),
            _ => {}
        }
    }
    tables
}

/// A block of a Markdown file (README.md) that a command writes, between
/// `<!-- NAME: generated by COMMAND -->` and `<!-- /NAME -->`.
#[derive(Debug, PartialEq)]
pub struct GeneratedBlock<'a> {
    /// The command the opening marker names.
    pub command: &'a str,
    /// Where the generated text sits, between the two markers.
    pub body: Range<usize>,
}

/// The block named `name`; `None` if either marker is missing or the
/// closing one comes first.
pub fn generated_block<'a>(
    text: &'a str,
    name: &str,
) -> Option<GeneratedBlock<'a>> {
    let open = format!("<!-- {name}: generated by ");
    let start = text.find(&open)? + open.len();
    let command_len = text[start..].find(" -->")?;
    let command = &text[start..start + command_len];
    let body_start = start + command_len + " -->".len();
    let close = format!("<!-- /{name} -->");
    let body_end = body_start + text[body_start..].find(&close)?;
    Some(GeneratedBlock {
        command,
        body: body_start..body_end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generated block is found by its two markers, and names the
    /// command that writes it; without its closing marker there is none.
    #[test]
    fn a_generated_block_lies_between_its_markers() {
        let text = "intro\n<!-- runners: generated by cargo xtask b -->\n\
                    | a |\n<!-- /runners -->\nrest\n";
        let block = generated_block(text, "runners").unwrap();
        assert_eq!(block.command, "cargo xtask b");
        assert_eq!(&text[block.body.clone()], "\n| a |\n");
        let unclosed = "<!-- runners: generated by cargo xtask b -->\n| a |\n";
        assert_eq!(generated_block(unclosed, "runners"), None);
        assert_eq!(generated_block(text, "census"), None);
    }

    /// Two headings with the same text give the same id twice.
    #[test]
    fn repeated_headings_give_repeated_ids() {
        let ids = heading_ids("# A\n## Exercise\ntext\n## Exercise\n");
        assert_eq!(ids, ["a", "exercise", "exercise"]);
    }

    #[test]
    fn finds_rust_blocks_and_their_attributes() {
        let md = "text\n\n```rust,ignore\n{{#include ../listings/a/src/lib.rs:here}}\n```\n\n```console\n$ ls\n```\n";
        let blocks = code_blocks(md);
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].is_rust() && blocks[0].has("ignore"));
        assert!(!blocks[1].is_rust());
        assert_eq!(&md[blocks[1].range.clone()], "```console\n$ ls\n```");
        assert_eq!(
            blocks[0].includes(),
            vec![Include {
                path: "../listings/a/src/lib.rs".into(),
                anchor: Some("here".into())
            }]
        );
    }

    #[test]
    fn heading_ids_follow_mdbook() {
        let md = "# Your first test\n\n## The `spawn_app` helper\n\n## Custom {#mine}\n\n<a id=\"old-slug\"></a>\n";
        assert_eq!(
            fragment_ids(md),
            vec![
                "your-first-test",
                "the-spawn_app-helper",
                "mine",
                "old-slug"
            ]
        );
    }
}
