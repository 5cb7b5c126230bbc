//! Reads an anchored region of a Rust file: its functions, which of them are
//! tests, their docs and `ignore` reasons, and the marker comments around them.

use book_model::{
    markers,
    test_items::{self, Item, Kind},
};

/// What the region holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Region {
    /// Functions in source order, and the documented items that say what
    /// they are: types, constants, an impl block (its own doc: its methods'
    /// docs describe one method each, not the listing) or, in a region cut
    /// from inside an impl, its methods.
    pub functions: Vec<Item>,
    /// Text after the anchor name on the `// ANCHOR:` line, if any.
    pub anchor_note: Option<String>,
    /// The reason given by a `// BROKEN ON PURPOSE:` comment in the region.
    pub broken_marker: Option<String>,
}

/// Analyses the region named `anchor` in `source` (the whole file without one).
pub fn analyse(source: &str, anchor: Option<&str>) -> Result<Region, String> {
    let lines: Vec<&str> = source.lines().collect();
    // 1-based, inclusive line numbers, like proc-macro2's.
    let (first, last, anchor_note) = match anchor {
        None => (1, lines.len(), None),
        Some(anchor) => markers::region(&lines, anchor)?,
    };
    let inside = |line: usize| (first..=last).contains(&line);
    let broken = markers::broken_on_purpose(&lines[first - 1..last]);
    // Only `.rs` files are Rust; a region of SQL or TOML has no functions.
    let items = test_items::items(source).unwrap_or_default();
    let functions = items
        .into_iter()
        .filter(|item| match item.kind {
            Kind::Fn | Kind::Type => inside(item.line),
            Kind::Impl => inside(item.line) && item.doc.is_some(),
            Kind::Method { impl_line } => {
                !inside(impl_line) && inside(item.line)
            }
        })
        .collect();
    Ok(Region {
        functions,
        anchor_note,
        broken_marker: broken
            .map(|text| first_sentence(&text))
            .filter(|s| !s.is_empty()),
    })
}

/// Removes the indentation every non-blank line shares, so a region cut from
/// inside a `mod` or an `impl` starts at the left margin.
pub fn dedent(code: &str) -> String {
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let common = code
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(indent)
        .min()
        .unwrap_or(0);
    code.lines()
        .map(|l| {
            if l.trim().is_empty() {
                ""
            } else {
                &l[common..]
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rustdoc's intra-doc links, `[`Type::method`]` and `[name]`, as plain
/// text: in a caption there is no rustdoc to resolve them.
pub fn without_intra_doc_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            // `[x](url)` and `[x][ref]` are real Markdown links: keep them.
            Some(close)
                if !after[close + 1..].starts_with(['(', '['])
                    && !after[..close].contains('[') =>
            {
                out.push_str(&after[..close]);
                rest = &after[close + 1..];
            }
            // A reference link: copy both bracket groups as they are.
            Some(close) if after[close + 1..].starts_with('[') => {
                let end = after[close + 1..]
                    .find(']')
                    .map_or(after.len(), |e| close + 1 + e + 1);
                out.push('[');
                out.push_str(&after[..end]);
                rest = &after[end..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first sentence of `text`: up to the first `.`, `!` or `?` that ends a
/// word and is followed by a space or the end (so `e.g.` inside code and
/// `0.5` survive as long as they are not followed by a space).
pub fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let mut in_code = false;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        if c == '`' {
            in_code = !in_code;
        }
        if !in_code && matches!(c, '.' | '!' | '?') {
            let next = chars.get(i + 1).map(|&(_, n)| n);
            if next.is_none_or(char::is_whitespace)
                && !text[..at].ends_with("e.g")
                && !text[..at].ends_with("i.e")
            {
                return text[..at + c.len_utf8()].to_string();
            }
        }
    }
    text.to_string()
}
