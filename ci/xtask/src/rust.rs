//! The one reader of Rust source: test items, their `#[ignore]` reasons, the
//! comment markers above them, and the proving calls in their bodies, via
//! syn. Comments are not in syn's tree, so a marker is looked for in the
//! `//` lines directly above an item or among its attributes, located by the
//! line numbers syn gives.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mdbook_listings::target::{self, Target};
use syn::{spanned::Spanned, visit::Visit};

/// A test function.
#[derive(Debug, Clone)]
pub struct TestItem {
    pub file: PathBuf,
    pub target: Target,
    /// `module::inner::name` inside its test binary.
    pub path: String,
    /// `Some(reason)` when `#[ignore = "reason"]` (`""` for a bare one).
    pub ignore: Option<String>,
    /// `//` comment lines (without `//`, trimmed) directly above the item
    /// or among its attributes; `///` docs are not markers.
    pub markers: Vec<String>,
    /// First string argument of every `assert_fails_because(…)` and
    /// `BrokenRun::new(…)` call in the body: the broken tests it proves.
    pub proves: Vec<String>,
    /// 1-based line of the `fn`.
    pub line: usize,
    /// The body starts one of the workspace's binaries: it names
    /// `CARGO_BIN_EXE_…`, calls `<Something>Process::spawn/start`, or a
    /// `spawn_worker…` helper. Such a test is a whole-process test.
    pub spawns_binary: bool,
}

impl TestItem {
    /// The marker text after `prefix` (`OUTPUT:`), for each such marker.
    pub fn markers_with<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a str> {
        self.markers
            .iter()
            .filter_map(move |m| m.strip_prefix(prefix))
    }
}

/// Every test function in one file.
pub fn test_items(file: &Path) -> Result<Vec<TestItem>> {
    let source = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let parsed = syn::parse_file(&source)
        .with_context(|| format!("{} is not valid Rust", file.display()))?;
    let target = target::find(file).map_err(anyhow::Error::msg)?;
    let lines: Vec<&str> = source.lines().collect();
    let mut finder = Finder {
        lines: &lines,
        modules: target.module_path.clone(),
        found: Vec::new(),
    };
    finder.visit_file(&parsed);
    Ok(finder
        .found
        .into_iter()
        .map(|(path, ignore, markers, calls, line)| TestItem {
            file: file.to_path_buf(),
            target: target.clone(),
            path,
            ignore,
            markers,
            proves: calls.proves,
            line,
            spawns_binary: calls.spawns_binary,
        })
        .collect())
}

/// Every `.rs` file under `dir`, sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if name != "target" && name != "fixtures" {
                    dirs.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                found.push(p);
            }
        }
    }
    found.sort();
    found
}

/// Every test in every crate under `listings/`, `tests/` and `ci/`.
pub fn workspace_tests(root: &Path) -> Result<Vec<TestItem>> {
    let mut all = Vec::new();
    for top in ["listings", "tests", "ci"] {
        for file in rust_files(&root.join(top)) {
            all.extend(test_items(&file)?);
        }
    }
    Ok(all)
}

type Found = (String, Option<String>, Vec<String>, Calls, usize);

struct Finder<'a> {
    lines: &'a [&'a str],
    modules: Vec<String>,
    found: Vec<Found>,
}

fn is_test_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "test")
}

fn ignore_reason(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .find(|a| a.path().is_ident("ignore"))
        .map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => s.value(),
                _ => String::new(),
            },
            _ => String::new(),
        })
}

impl Finder<'_> {
    /// `//` lines directly above `first` (1-based) and between `first` and
    /// `sig` (the attributes), without `///`/`//!` docs.
    fn markers(&self, first: usize, sig: usize) -> Vec<String> {
        let comment = |l: &str| {
            let t = l.trim_start();
            (t.starts_with("//")
                && !t.starts_with("///")
                && !t.starts_with("//!"))
            .then(|| t[2..].trim().to_string())
        };
        let mut above = Vec::new();
        let mut i = first.saturating_sub(1);
        while i > 0 {
            let l = self.lines[i - 1];
            let t = l.trim_start();
            if let Some(c) = comment(l) {
                above.push(c);
            } else if !t.starts_with("///") {
                break;
            }
            i -= 1;
        }
        above.reverse();
        above.extend(
            (first..sig)
                .filter_map(|n| self.lines.get(n - 1).copied())
                .filter_map(comment),
        );
        join_continuations(above)
    }
}

/// A marker line ending in `\` continues on the next one.
fn join_continuations(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for l in lines {
        if open && let Some(last) = out.last_mut() {
            last.push(' ');
            last.push_str(l.trim_end_matches('\\').trim());
        } else {
            out.push(l.trim_end_matches('\\').trim().to_string());
        }
        open = l.ends_with('\\');
    }
    out
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.modules.push(m.ident.to_string());
        syn::visit::visit_item_mod(self, m);
        self.modules.pop();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if f.attrs.iter().any(is_test_attr) {
            let first = f
                .attrs
                .iter()
                .map(|a| a.span().start().line)
                .min()
                .unwrap_or(f.sig.span().start().line);
            let sig = f.sig.fn_token.span.start().line;
            let mut calls = Calls::default();
            calls.visit_block(&f.block);
            let mut path = self.modules.clone();
            path.push(f.sig.ident.to_string());
            self.found.push((
                path.join("::"),
                ignore_reason(&f.attrs),
                self.markers(first, sig),
                calls,
                sig,
            ));
        }
        syn::visit::visit_item_fn(self, f);
    }
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

fn string_lit(e: &syn::Expr) -> Option<String> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        syn::Expr::Reference(r) => string_lit(&r.expr),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for Calls {
    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*call.func {
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
                syn::Expr::Path(p) => p
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
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>
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
        let dir = std::env::temp_dir()
            .join(format!("xtask-rust-{}", std::process::id()));
        let tests = dir.join("tests/suite");
        std::fs::create_dir_all(&tests).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        std::fs::write(tests.join("main.rs"), "mod broken;\n").unwrap();
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
        std::fs::write(tests.join("broken.rs"), source).unwrap();
        let items = test_items(&tests.join("broken.rs")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].path, "broken::sleeps");
        assert_eq!(
            items[0].ignore.as_deref(),
            Some("broken on purpose: it sleeps")
        );
        let outputs: Vec<_> = items[0].markers_with("OUTPUT:").collect();
        assert_eq!(outputs, [" output/a.txt | grep x"]);
        assert_eq!(items[1].path, "broken::inner::proves");
        assert_eq!(items[1].proves, ["broken::sleeps", "broken::other"]);
    }
}
