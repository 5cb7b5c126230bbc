//! Reads an anchored region of a Rust file: its functions, which of them are
//! tests, their docs and `ignore` reasons, and the marker comments around them.

use proc_macro2::LineColumn;
use syn::{
    Attribute, Expr, Ident, ImplItem, Item, Lit, Meta, spanned::Spanned,
};

/// A function (or a documented type, constant or impl block) inside the region.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// The name, prefixed by the inline modules it sits in (`tests::name`).
    pub qualified: String,
    /// The `///` doc, lines joined by spaces.
    pub doc: Option<String>,
    /// Marked `#[test]`, `#[tokio::test]`, `#[sqlx::test]`, ….
    pub is_test: bool,
    /// `Some(reason)` for `#[ignore = "reason"]` (`Some("")` for a bare `#[ignore]`).
    pub ignore_reason: Option<String>,
}

/// What the region holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Region {
    /// Functions in source order.
    pub functions: Vec<Function>,
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
        Some(anchor) => {
            let start = lines
                .iter()
                .position(|l| {
                    marker_name(l, "ANCHOR:")
                        .is_some_and(|(name, _)| name == anchor)
                })
                .ok_or_else(|| format!("no `ANCHOR: {anchor}` line"))?;
            let end = lines[start..]
                .iter()
                .position(|l| marker_name(l, "ANCHOR_END:").is_some_and(|(name, _)| name == anchor))
                .ok_or_else(|| format!("no `ANCHOR_END: {anchor}` line after `ANCHOR: {anchor}`"))?;
            let note = marker_name(lines[start], "ANCHOR:")
                .map(|(_, rest)| rest)
                .filter(|r| !r.is_empty());
            (start + 1, start + end + 1, note)
        }
    };

    let mut region = Region {
        anchor_note,
        ..Region::default()
    };
    region.broken_marker = broken_marker(&lines[first - 1..last]);

    // Only `.rs` files are Rust; a region of SQL or TOML has no functions.
    if let Ok(file) = syn::parse_file(source) {
        collect(&file.items, &[], first, last, &mut region.functions);
    }
    Ok(region)
}

/// `(name, rest)` for a line holding `marker name rest`, matched the way mdBook
/// matches anchors: the marker anywhere on the line.
fn marker_name(line: &str, marker: &str) -> Option<(String, String)> {
    let after = line.split(marker).nth(1)?.trim_start();
    let name: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let rest = after[name.len()..]
        .trim_start_matches(|c: char| c.is_whitespace() || "-—:".contains(c))
        .trim_end();
    Some((name, rest.to_string()))
}

/// The reason of a `// BROKEN ON PURPOSE: reason` comment, continued on the
/// following `//` lines, cut to its first sentence.
fn broken_marker(lines: &[&str]) -> Option<String> {
    let start = lines.iter().position(|l| l.contains("BROKEN ON PURPOSE"))?;
    let mut text = lines[start]
        .split("BROKEN ON PURPOSE")
        .nth(1)?
        .trim_start_matches([':', ' '])
        .trim()
        .to_string();
    for line in &lines[start + 1..] {
        let Some(more) = line
            .trim_start()
            .strip_prefix("//")
            .filter(|_| !line.trim_start().starts_with("///"))
        else {
            break;
        };
        text.push(' ');
        text.push_str(more.trim());
    }
    Some(first_sentence(&text)).filter(|s| !s.is_empty())
}

/// Adds to `out` the functions among `items` (inside `modules`) that start
/// on lines `first..=last`, and the documented items that say what they are.
fn collect(
    items: &[Item],
    modules: &[String],
    first: usize,
    last: usize,
    out: &mut Vec<Function>,
) {
    let inside = |at: LineColumn| (first..=last).contains(&at.line);
    let qualify =
        |name: &Ident| [modules, &[name.to_string()]].concat().join("::");
    for item in items {
        match item {
            Item::Fn(f) if inside(f.sig.fn_token.span.start()) => {
                out.push(Function {
                    qualified: qualify(&f.sig.ident),
                    doc: doc(&f.attrs),
                    is_test: f.attrs.iter().any(is_test_attribute),
                    ignore_reason: f.attrs.iter().find_map(ignore_reason),
                })
            }
            Item::Mod(m) => {
                if let Some((_, content)) = &m.content {
                    let mut inner = modules.to_vec();
                    inner.push(m.ident.to_string());
                    collect(content, &inner, first, last, out);
                }
            }
            // A whole impl block speaks through its own doc: its methods' docs
            // describe one method each, not the listing. A region cut from
            // inside an impl is about the methods in it, so theirs count.
            Item::Impl(imp) if inside(imp.impl_token.span.start()) => {
                if let Some(text) = doc(&imp.attrs) {
                    out.push(not_a_test(String::new(), Some(text)));
                }
            }
            Item::Impl(imp) => {
                for item in &imp.items {
                    if let ImplItem::Fn(f) = item
                        && inside(f.sig.fn_token.span.start())
                    {
                        let name = qualify(&f.sig.ident);
                        out.push(not_a_test(name, doc(&f.attrs)));
                    }
                }
            }
            // Types and constants are never tests, but their docs can say what
            // a listing of helpers is for.
            _ => {
                if let Some((ident, attrs)) = type_or_constant(item)
                    && inside(item.span().start())
                {
                    out.push(not_a_test(qualify(ident), doc(attrs)));
                }
            }
        }
    }
}

/// The name and attributes of a type, trait, constant or static.
fn type_or_constant(item: &Item) -> Option<(&Ident, &[Attribute])> {
    match item {
        Item::Struct(i) => Some((&i.ident, &i.attrs)),
        Item::Enum(i) => Some((&i.ident, &i.attrs)),
        Item::Trait(i) => Some((&i.ident, &i.attrs)),
        Item::Const(i) => Some((&i.ident, &i.attrs)),
        Item::Static(i) => Some((&i.ident, &i.attrs)),
        Item::Type(i) => Some((&i.ident, &i.attrs)),
        _ => None,
    }
}

/// An item that is not a test (a method, a type, an impl block), for its doc.
fn not_a_test(qualified: String, doc: Option<String>) -> Function {
    Function {
        qualified,
        doc,
        is_test: false,
        ignore_reason: None,
    }
}

fn doc(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                Expr::Lit(lit) => match &lit.lit {
                    Lit::Str(s) => Some(s.value().trim().to_string()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect();
    let joined = lines.join(" ").trim().to_string();
    (!joined.is_empty()).then_some(joined)
}

/// `#[test]`, or any attribute whose last path segment is `test`
/// (`tokio::test`, `sqlx::test`).
fn is_test_attribute(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "test")
}

fn ignore_reason(attr: &Attribute) -> Option<String> {
    if !attr.path().is_ident("ignore") {
        return None;
    }
    match &attr.meta {
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Str(s) => Some(s.value()),
                _ => Some(String::new()),
            },
            _ => Some(String::new()),
        },
        _ => Some(String::new()),
    }
}

/// The lines of region `anchor`, exactly as mdBook's `{{#include file:anchor}}`
/// takes them: after the `ANCHOR:` line, up to its `ANCHOR_END:`, leaving out
/// the marker lines of other regions nested inside, and the tool's marker
/// comments (`// OUTPUT: …`, `// FIXES: …`, CONTRIBUTING.md), which are
/// for the book's machinery, not for readers.
pub fn anchored_lines(source: &str, anchor: &str) -> String {
    let mut in_marker = false;
    without_tool_markers(&anchored_lines_raw(source, anchor), &mut in_marker)
}

/// Whether a line is one of the tool's marker comments.
fn is_tool_marker(line: &str) -> bool {
    let t = line.trim_start();
    ["// OUTPUT:", "// OUTPUT(measured):", "// FIXES:"]
        .iter()
        .any(|m| t.starts_with(m))
}

fn without_tool_markers(text: &str, in_marker: &mut bool) -> String {
    text.lines()
        .filter(|l| {
            let continued = *in_marker;
            let marker = continued || is_tool_marker(l);
            // A marker line ending in `\` continues on the next line.
            *in_marker = marker && l.trim_end().ends_with('\\');
            !marker
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn anchored_lines_raw(source: &str, anchor: &str) -> String {
    let mut lines = source.lines().skip_while(|l| {
        marker_name(l, "ANCHOR:").is_none_or(|(name, _)| name != anchor)
    });
    lines.next(); // the ANCHOR line itself
    lines
        .take_while(|l| {
            marker_name(l, "ANCHOR_END:").is_none_or(|(name, _)| name != anchor)
        })
        .filter(|l| !l.contains("ANCHOR:") && !l.contains("ANCHOR_END:"))
        .collect::<Vec<_>>()
        .join("\n")
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The tool's marker comments (and their `\` continuations) are for the
    /// machinery: the region the book shows leaves them out.
    #[test]
    fn marker_comments_are_left_out_of_the_region() {
        let source = "\
// ANCHOR: here
// OUTPUT: output/a.txt \\
//   | grep x
// FIXES: broken_one
/// Works.
#[test]
fn works() {}
// ANCHOR_END: here
";
        let shown = anchored_lines(source, "here");
        assert_eq!(shown, "/// Works.\n#[test]\nfn works() {}");
    }
}
