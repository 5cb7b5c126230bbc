//! The allow-list: items marked by a comment.
//!
//! - `// BROKEN ON PURPOSE: <why>` allows every finding in the item: it is a
//!   listing that fails on purpose, and the book proves that it does.
//! - `// test-lint: allow(<rule-id>, …) -- <why>` allows the named rules in
//!   the item, for code that is right but looks wrong to a program (a table
//!   of URLs a guard must refuse). The reason is required.
//!
//! Comments are not in `syn`'s tree, so markers are looked for in the
//! source lines around each item: in the block of `//` comments directly
//! above it (no blank line between), or among its own attributes and doc
//! comments, up to the line where the item itself starts.

use syn::{spanned::Spanned, visit::Visit};

use crate::item::{ignore_reason, item_comments};

/// The text that marks a listing as broken on purpose.
pub const MARKER: &str = "BROKEN ON PURPOSE";

/// Prefix of the comment that allows named rules in one item.
pub const ALLOW: &str = "test-lint: allow(";

/// What a marker comment allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allows {
    /// `// BROKEN ON PURPOSE`: every rule.
    Everything,
    /// `// test-lint: allow(rule-id, …) -- why`: these rules.
    Rules(Vec<String>),
}

/// An item a marker comment covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkedItem {
    pub allows: Allows,
    /// The marker comment's text, without `//`.
    pub comment: String,
    /// The item's name (`fn`, `const`, `mod`, … name), or its kind.
    pub name: String,
    /// 1-based line of the marker comment.
    pub marker_line: usize,
    /// First and last line of the item, attributes included.
    pub first_line: usize,
    pub last_line: usize,
    /// The item carries `#[ignore = "broken on purpose…"]`: it fails when run,
    /// and a proving test (expect-failure) runs it.
    pub ignored_as_broken: bool,
}

/// Every marked item in `source`, outermost first.
pub fn marked_items(source: &str) -> Result<Vec<MarkedItem>, syn::Error> {
    Ok(marked_items_in(&syn::parse_file(source)?, source))
}

pub(crate) fn marked_items_in(
    file: &syn::File,
    source: &str,
) -> Vec<MarkedItem> {
    let lines: Vec<&str> = source.lines().collect();
    let mut finder = Finder {
        lines: &lines,
        found: Vec::new(),
    };
    finder.visit_file(file);
    finder.found
}

struct Finder<'a> {
    lines: &'a [&'a str],
    found: Vec<MarkedItem>,
}

impl Finder<'_> {
    fn consider(
        &mut self,
        name: String,
        attrs: &[syn::Attribute],
        whole: proc_macro2::Span,
        head: proc_macro2::Span,
    ) {
        let first_line = attrs
            .iter()
            .map(|a| a.span().start().line)
            .chain([whole.start().line])
            .min()
            .unwrap_or(1);
        let last_line = whole.end().line;
        let ignored_as_broken = ignore_reason(attrs)
            .is_some_and(|r| r.to_lowercase().starts_with("broken on purpose"));
        // The item's own lines, then the comment block above it, upwards.
        let mut comments =
            item_comments(self.lines, first_line, head.start().line);
        comments
            .sort_by_key(|&(n, _)| (n < first_line, n.abs_diff(first_line)));
        for (marker_line, comment) in comments {
            let allows = if comment.contains(MARKER) {
                Allows::Everything
            } else if let Some(rules) = allowed_rules(&comment) {
                Allows::Rules(rules)
            } else {
                continue;
            };
            self.found.push(MarkedItem {
                allows,
                comment,
                name: name.clone(),
                marker_line,
                first_line,
                last_line,
                ignored_as_broken,
            });
        }
    }
}

/// `test-lint: allow(a, b) -- why` → `["a", "b"]`; `None` without a reason.
fn allowed_rules(comment: &str) -> Option<Vec<String>> {
    let rest = &comment[comment.find(ALLOW)? + ALLOW.len()..];
    let (list, reason) = rest.split_once(')')?;
    let reason = reason
        .trim()
        .trim_start_matches("--")
        .trim_start_matches(':')
        .trim();
    if reason.is_empty() {
        return None;
    }
    Some(
        list.split(',')
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect(),
    )
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        use syn::Item::*;
        let (name, attrs, head): (
            String,
            &[syn::Attribute],
            proc_macro2::Span,
        ) = match item {
            Fn(i) => (i.sig.ident.to_string(), &i.attrs, i.sig.span()),
            Const(i) => (i.ident.to_string(), &i.attrs, i.const_token.span),
            Static(i) => (i.ident.to_string(), &i.attrs, i.static_token.span),
            Mod(i) => (i.ident.to_string(), &i.attrs, i.mod_token.span),
            Struct(i) => (i.ident.to_string(), &i.attrs, i.struct_token.span),
            Enum(i) => (i.ident.to_string(), &i.attrs, i.enum_token.span),
            Impl(i) => ("impl".to_string(), &i.attrs, i.impl_token.span),
            Trait(i) => (i.ident.to_string(), &i.attrs, i.trait_token.span),
            _ => {
                syn::visit::visit_item(self, item);
                return;
            }
        };
        self.consider(name, attrs, item.span(), head);
        syn::visit::visit_item(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.consider(
            item.sig.ident.to_string(),
            &item.attrs,
            item.span(),
            item.sig.span(),
        );
        syn::visit::visit_impl_item_fn(self, item);
    }
}
