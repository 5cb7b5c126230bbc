//! mdBook's `{{#include path:anchor}}` directive (and `rustdoc_include`):
//! where a chapter pulls in a listing or a generated output.

/// `{{#include path:anchor}}` (or `rustdoc_include`), anywhere in a chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    /// The path as written, relative to the chapter's directory.
    pub path: String,
    /// The anchor name, if the include names one.
    pub anchor: Option<String>,
}

/// Every include in `text`, in order.
pub fn includes_in(text: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{#") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else { break };
        let directive = after[..end].trim();
        rest = &after[end..];
        let Some(target) = directive
            .strip_prefix("include ")
            .or_else(|| directive.strip_prefix("rustdoc_include "))
        else {
            continue;
        };
        let target = target.trim();
        let (path, anchor) = match target.split_once(':') {
            // A numeric suffix is a line range; the book never uses those.
            Some((path, anchor)) => (path, Some(anchor.to_string())),
            None => (target, None),
        };
        found.push(Include {
            path: path.to_string(),
            anchor,
        });
    }
    found
}

/// A chapter as the reader gets it: every `{{#include path[:anchor]}}`
/// replaced by what `read` returns for it (the file, or its region), so
/// listings and generated outputs count as part of the page. The caption
/// the preprocessor writes above a listing is not in the text, so it is
/// not counted.
pub fn expand_includes(
    text: &str,
    mut read: impl FnMut(&Include) -> Option<String>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{#") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find("}}") else {
            out.push_str(after);
            return out;
        };
        let directive = &after[..end + 2];
        match includes_in(directive).first().and_then(&mut read) {
            Some(expanded) => out.push_str(&expanded),
            None => out.push_str(directive),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::word_count;

    /// Words are tokens with a letter or digit; comments for the tools
    /// and lone punctuation are not words; an include counts as its text.
    #[test]
    fn words_count_the_included_text_not_the_directive() {
        assert_eq!(word_count("Hello, world } // <!-- minutes: 5 -->"), 2);
        let page = "Intro.\n```rust,ignore\n{{#include a.rs:x}}\n```\n";
        let expanded = expand_includes(page, |inc| {
            assert_eq!(inc.path, "a.rs");
            assert_eq!(inc.anchor.as_deref(), Some("x"));
            Some("fn three_words() { one two }".into())
        });
        assert_eq!(word_count(&expanded), 5);
        assert_eq!(word_count(&expand_includes(page, |_| None)), 3);
    }
}
