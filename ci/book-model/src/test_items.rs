//! The one walk over a Rust file's syntax tree: its functions (which are
//! tests, their `#[ignore]` reasons, the marker comments above them and the
//! proving calls in their bodies), and the methods, impl blocks, types and
//! constants whose docs can say what a listing is for. Comments are not in
//! syn's tree, so markers are found by the line numbers syn gives
//! ([`test_lint::item_comments`]).

use syn::{
    Attribute, Expr, Ident, ImplItem, Lit, Meta, spanned::Spanned, visit::Visit,
};

use crate::markers::join_continuations;

/// What an item is.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Kind {
    /// A function in the file or in an inline module.
    #[default]
    Fn,
    /// A method of the impl block whose `impl` is on `impl_line`.
    Method { impl_line: usize },
    /// An impl block; its methods follow it.
    Impl,
    /// A type, trait, constant or static.
    Type,
}

/// One item, in source order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    pub kind: Kind,
    /// The name, prefixed by the inline modules it sits in (`tests::name`);
    /// empty for an impl block.
    pub qualified: String,
    /// The `///` doc, lines joined by spaces.
    pub doc: Option<String>,
    /// 1-based line of its `fn` or `impl`; a type's first line.
    pub line: usize,
    /// Marked `#[test]`, `#[tokio::test]`, `#[rstest]`, ….
    pub is_test: bool,
    /// `Some(reason)` for `#[ignore = "reason"]` (`Some("")` for a bare one).
    pub ignore_reason: Option<String>,
    /// A function's `//` comments directly above it or among its
    /// attributes, without `//`; a line ending in `\` joined with the next.
    pub markers: Vec<String>,
    /// A test's calls to `assert_fails_because(…)` and `BrokenRun::new(…)`:
    /// the first argument of each, the broken tests it proves.
    pub proves: Vec<String>,
    /// A test's body starts one of the workspace's binaries: it names
    /// `CARGO_BIN_EXE_…`, calls `<Something>Process::spawn/start`, or a
    /// `spawn_worker…` helper. Such a test is a whole-process test.
    pub spawns_binary: bool,
}

impl Item {
    fn new(kind: Kind, name: String, attrs: &[Attribute], line: usize) -> Item {
        let (qualified, doc) = (name, doc(attrs));
        Item {
            kind,
            qualified,
            doc,
            line,
            ..Item::default()
        }
    }

    /// The marker text after `prefix` (`FIXES:`), for each such marker.
    pub fn markers_with<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a str> {
        self.markers
            .iter()
            .filter_map(move |m| m.strip_prefix(prefix))
    }
}

/// Every item of the Rust file `source`, in source order.
pub fn items(source: &str) -> syn::Result<Vec<Item>> {
    let file = syn::parse_file(source)?;
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    collect(&file.items, &[], &lines, &mut out);
    Ok(out)
}

fn collect(
    items: &[syn::Item],
    modules: &[String],
    lines: &[&str],
    out: &mut Vec<Item>,
) {
    let qualify =
        |name: &Ident| [modules, &[name.to_string()]].concat().join("::");
    for item in items {
        match item {
            syn::Item::Fn(f) => {
                out.push(function(f, qualify(&f.sig.ident), lines))
            }
            syn::Item::Mod(m) => {
                if let Some((_, content)) = &m.content {
                    let mut inner = modules.to_vec();
                    inner.push(m.ident.to_string());
                    collect(content, &inner, lines, out);
                }
            }
            syn::Item::Impl(imp) => {
                let impl_line = imp.impl_token.span.start().line;
                out.push(Item::new(
                    Kind::Impl,
                    String::new(),
                    &imp.attrs,
                    impl_line,
                ));
                for f in imp.items.iter().filter_map(|i| match i {
                    ImplItem::Fn(f) => Some(f),
                    _ => None,
                }) {
                    let kind = Kind::Method { impl_line };
                    let line = f.sig.fn_token.span.start().line;
                    out.push(Item::new(
                        kind,
                        qualify(&f.sig.ident),
                        &f.attrs,
                        line,
                    ));
                }
            }
            _ => {
                if let Some((ident, attrs)) = type_or_constant(item) {
                    let line = item.span().start().line;
                    out.push(Item::new(
                        Kind::Type,
                        qualify(ident),
                        attrs,
                        line,
                    ));
                }
            }
        }
    }
}

fn function(f: &syn::ItemFn, qualified: String, lines: &[&str]) -> Item {
    let line = f.sig.fn_token.span.start().line;
    let first = f
        .attrs
        .iter()
        .map(|a| a.span().start().line)
        .min()
        .unwrap_or(f.sig.span().start().line);
    let comments = test_lint::item_comments(lines, first, line);
    let mut item = Item::new(Kind::Fn, qualified, &f.attrs, line);
    item.is_test = f.attrs.iter().any(test_lint::is_test_attr);
    item.ignore_reason = test_lint::ignore_reason(&f.attrs);
    item.markers =
        join_continuations(comments.into_iter().map(|(_, c)| c).collect());
    if item.is_test {
        let mut calls = Calls::default();
        calls.visit_block(&f.block);
        item.proves = calls.proves;
        item.spawns_binary = calls.spawns_binary;
    }
    item
}

/// The name and attributes of a type, trait, constant or static.
fn type_or_constant(item: &syn::Item) -> Option<(&Ident, &[Attribute])> {
    match item {
        syn::Item::Struct(i) => Some((&i.ident, &i.attrs)),
        syn::Item::Enum(i) => Some((&i.ident, &i.attrs)),
        syn::Item::Trait(i) => Some((&i.ident, &i.attrs)),
        syn::Item::Const(i) => Some((&i.ident, &i.attrs)),
        syn::Item::Static(i) => Some((&i.ident, &i.attrs)),
        syn::Item::Type(i) => Some((&i.ident, &i.attrs)),
        _ => None,
    }
}

fn doc(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) if nv.path.is_ident("doc") => {
                string_lit(&nv.value).map(|s| s.trim().to_string())
            }
            _ => None,
        })
        .collect();
    let joined = lines.join(" ").trim().to_string();
    (!joined.is_empty()).then_some(joined)
}

/// What a test body calls.
#[derive(Default)]
struct Calls {
    /// String literals passed first to the proving functions.
    proves: Vec<String>,
    spawns_binary: bool,
    /// `let name = "literal";` in the body, so `assert_fails_because(name,
    /// …)` is read as the literal.
    strings: std::collections::HashMap<String, String>,
}

fn string_lit(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        Expr::Reference(r) => string_lit(&r.expr),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Calls {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*call.func {
            let names: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let n = names.len();
            if names.last().is_some_and(|l| l.starts_with("spawn_worker"))
                || n >= 2
                    && names[n - 2].ends_with("Process")
                    && matches!(names[n - 1].as_str(), "spawn" | "start")
            {
                self.spawns_binary = true;
            }
            let proving =
                names.last().is_some_and(|n| n == "assert_fails_because")
                    || names.ends_with(&["BrokenRun".into(), "new".into()]);
            let named = call.args.first().and_then(|a| match a {
                Expr::Path(p) => p
                    .path
                    .get_ident()
                    .and_then(|i| self.strings.get(&i.to_string()).cloned()),
                other => string_lit(other),
            });
            if proving && let Some(name) = named {
                self.proves.push(name);
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let syn::Pat::Ident(p) = &local.pat
            && let Some(init) = &local.init
            && let Some(value) = string_lit(&init.expr)
        {
            self.strings.insert(p.ident.to_string(), value);
        }
        syn::visit::visit_local(self, local);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if call.method.to_string().starts_with("spawn_worker") {
            self.spawns_binary = true;
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if mac.tokens.to_string().contains("CARGO_BIN_EXE_") {
            self.spawns_binary = true;
        }
        // Statements inside `assert!(…)` etc. are tokens, not expressions:
        // parse them as expressions to find proving calls there too.
        if let Ok(args) = mac.parse_body_with(
            syn::punctuated::Punctuated::<Expr, syn::Token![,]>
                ::parse_terminated,
        ) {
            for e in &args {
                self.visit_expr(e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Markers above and among attributes, ignore reasons and proving calls
    /// are read from a test file.
    #[test]
    fn a_test_file_gives_its_items_markers_and_proofs() {
        let source = "\
// BROKEN ON PURPOSE: it sleeps
// OUTPUT: output/a.txt \\
//   | grep x
/// It sleeps.
#[test]
#[ignore = \"broken on purpose: it sleeps\"]
fn sleeps() {}

mod inner {
    #[test]
    fn proves() {
        expect_failure::assert_fails_because(\"broken::sleeps\", &[\"x\"]);
        let _ = BrokenRun::new(\"broken::other\");
    }
}
";
        let items = items(source).unwrap();
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].qualified, "sleeps");
        assert_eq!(
            items[0].ignore_reason.as_deref(),
            Some("broken on purpose: it sleeps")
        );
        let outputs: Vec<_> = items[0].markers_with("OUTPUT:").collect();
        assert_eq!(outputs, [" output/a.txt | grep x"]);
        assert_eq!(items[1].qualified, "inner::proves");
        assert_eq!(items[1].proves, ["broken::sleeps", "broken::other"]);
    }
}
