//! What every reader of the book's Rust asks of an item, answered once (the
//! book's own tools use these too): is it a test, why is it ignored, and
//! which plain `//` comments belong to it.

use syn::{Attribute, Expr, ExprLit, Lit, Meta};

/// `#[test]`, `#[rstest]`, or any attribute whose last path segment is one
/// of those (`tokio::test`, `sqlx::test`).
pub fn is_test_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "test" || s.ident == "rstest")
}

/// `Some(reason)` for `#[ignore = "reason"]`, `Some("")` for a bare
/// `#[ignore]`, `None` when the item is not ignored.
pub fn ignore_reason(attrs: &[Attribute]) -> Option<String> {
    let attr = attrs.iter().find(|a| a.path().is_ident("ignore"))?;
    Some(match &attr.meta {
        Meta::NameValue(nv) => lit_str(&nv.value).unwrap_or_default(),
        _ => String::new(),
    })
}

pub(crate) fn lit_str(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// The plain `//` comments of an item whose attributes start on line
/// `first` and whose own keyword is on line `head` (1-based): the block of
/// comments directly above it (no blank line between; `///` docs may be
/// mixed in) and those among its attributes. As (line, text after `//`,
/// trimmed), in source order; `///` and `//!` docs are not among them.
pub fn item_comments(
    lines: &[&str],
    first: usize,
    head: usize,
) -> Vec<(usize, String)> {
    let comment = |n: usize| {
        let t = lines.get(n.checked_sub(1)?)?.trim_start();
        (t.starts_with("//") && !t.starts_with("///") && !t.starts_with("//!"))
            .then(|| (n, t[2..].trim().to_string()))
    };
    let mut above = first.saturating_sub(1);
    while above > 0
        && (comment(above).is_some()
            || lines[above - 1].trim_start().starts_with("///"))
    {
        above -= 1;
    }
    (above + 1..=head).filter_map(comment).collect()
}
