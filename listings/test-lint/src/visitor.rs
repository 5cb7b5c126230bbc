//! The rules, as one walk over a file's syntax tree.

use std::collections::{HashMap, HashSet};

use syn::{Expr, punctuated::Punctuated, spanned::Spanned, visit::Visit};

use crate::{
    Finding, Rule,
    item::{ignore_reason, is_test_attr, lit_str},
    url::url_host_off_this_machine,
};

pub(crate) fn check(
    file: &syn::File,
    whole_file_is_test: bool,
    known_assertions: &[String],
) -> Vec<Finding> {
    let mut walker = Walker {
        imports: imports_of(file),
        asserting_fns: asserting_fns(file, known_assertions),
        test_depth: usize::from(whole_file_is_test),
        ..Walker::default()
    };
    walker.visit_file(file);
    walker.findings
}

#[derive(Default)]
struct Walker {
    /// `use` aliases: the name a file uses → the path it stands for.
    imports: HashMap<String, Vec<String>>,
    /// > 0 inside test code.
    test_depth: usize,
    /// Functions of this file that assert, directly or through each other.
    asserting_fns: HashSet<String>,
    /// Inside a test function whose tokio clock is paused.
    paused: bool,
    /// Inside a `loop`, `while` or `for` of the current function.
    loop_depth: usize,
    /// Inside a helper whose name says it picks the seed (`run_seed`).
    picks_the_seed: bool,
    findings: Vec<Finding>,
}

impl Walker {
    fn in_test_code(&self) -> bool {
        self.test_depth > 0
    }

    fn report(&mut self, span: proc_macro2::Span, rule: Rule, what: String) {
        let line = span.start().line;
        if !self
            .findings
            .iter()
            .any(|f| f.line == line && f.rule == rule)
        {
            self.findings.push(Finding {
                file: Default::default(),
                line,
                rule,
                what,
                allowed_by: None,
            });
        }
    }

    /// `path` with its first segment replaced by what a `use` made it mean.
    fn resolve(&self, path: &syn::Path) -> Vec<String> {
        let segments: Vec<String> =
            path.segments.iter().map(|s| s.ident.to_string()).collect();
        match segments.split_first() {
            Some((first, rest)) if self.imports.contains_key(first) => self
                .imports[first]
                .iter()
                .cloned()
                .chain(rest.iter().cloned())
                .collect(),
            _ => segments,
        }
    }

    fn check_path(&mut self, path: &syn::Path) {
        if !self.in_test_code() {
            return;
        }
        let full = self.resolve(path);
        let shown = full.join("::");
        // A sleep inside a loop is the pause between two looks (polling),
        // not a guess at how long something takes.
        if is_sleep(&full) && self.loop_depth == 0 {
            let tokio = full.first().is_some_and(|s| s == "tokio");
            if !(tokio && self.paused) {
                let why = if tokio {
                    "outside paused time (no `start_paused = true`, no `tokio::time::pause()`)"
                } else {
                    "in test code"
                };
                self.report(path.span(), Rule::FixedSleep, format!("`{shown}` {why}: it waits a fixed time instead of for the event"));
            }
        }
        // The one place an unseeded value belongs: picking the seed itself
        // (which the test must print, so that a failing run can be replayed).
        if let Some(source) =
            unseeded_source(&full).filter(|_| !self.picks_the_seed)
        {
            self.report(
                path.span(),
                Rule::UnseededRandomness,
                format!("`{shown}`: {source}; a failing run can't be replayed"),
            );
        }
    }

    fn check_test_fn(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &syn::Signature,
        body: &syn::Block,
    ) {
        for attr in attrs {
            if attr.path().is_ident("ignore") {
                let reason = match &attr.meta {
                    syn::Meta::NameValue(nv) => {
                        lit_str(&nv.value).unwrap_or_default()
                    }
                    _ => String::new(),
                };
                if reason.trim().is_empty() {
                    self.report(attr.span(), Rule::IgnoreWithoutReason, format!("`{}` is ignored with no reason: write `#[ignore = \"why\"]`", sig.ident));
                }
            }
        }
        let should_panic =
            attrs.iter().any(|a| a.path().is_ident("should_panic"));
        // Ignored *with* a reason: run by something else (a parent test that
        // checks its output, or a person); that runner is the assertion.
        let ignored_with_reason =
            ignore_reason(attrs).is_some_and(|r| !r.trim().is_empty());
        let mut asserts = AssertionFinder {
            helpers: &self.asserting_fns,
            found: false,
            question_mark: false,
        };
        asserts.visit_block(body);
        let returns_result = matches!(&sig.output, syn::ReturnType::Type(_, ty) if type_is_result(ty));
        if !(should_panic
            || ignored_with_reason
            || asserts.found
            || (returns_result && asserts.question_mark))
        {
            self.report(
                sig.ident.span(),
                Rule::NoAssertion,
                format!("test `{}` asserts nothing (no assert!/panic!, no verified expectation, no `?` in a Result test)", sig.ident),
            );
        }
    }

    fn enter_fn(
        &mut self,
        attrs: &[syn::Attribute],
        sig: &syn::Signature,
        body: &syn::Block,
    ) -> FnState {
        let is_test = attrs.iter().any(is_test_attr);
        if is_test {
            self.check_test_fn(attrs, sig, body);
        }
        let saved = FnState {
            is_test,
            paused: self.paused,
            loop_depth: self.loop_depth,
            picks_the_seed: self.picks_the_seed,
        };
        self.loop_depth = 0;
        self.picks_the_seed =
            !is_test && sig.ident.to_string().ends_with("seed");
        self.paused =
            attrs.iter().any(starts_paused) || calls_pause(body, self);
        if is_test {
            self.test_depth += 1;
        }
        saved
    }

    fn leave_fn(&mut self, saved: FnState) {
        if saved.is_test {
            self.test_depth -= 1;
        }
        self.paused = saved.paused;
        self.loop_depth = saved.loop_depth;
        self.picks_the_seed = saved.picks_the_seed;
    }

    /// Macro bodies are tokens to `syn`. Most macros in tests (`assert!`,
    /// `format!`, `vec!`) take comma-separated expressions: parse them and
    /// walk them like code. Anything else (`tokio::select!`) is searched for
    /// string literals only.
    fn walk_macro_tokens(&mut self, mac: &syn::Macro) {
        let parser = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        match mac.parse_body_with(parser) {
            Ok(exprs) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Err(_) => self.scan_tokens_for_urls(mac.tokens.clone()),
        }
    }

    fn scan_tokens_for_urls(&mut self, tokens: proc_macro2::TokenStream) {
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Literal(lit) => {
                    if let Ok(s) =
                        syn::parse_str::<syn::LitStr>(&lit.to_string())
                    {
                        self.check_string(&s.value(), lit.span());
                    }
                }
                proc_macro2::TokenTree::Group(g) => {
                    self.scan_tokens_for_urls(g.stream())
                }
                _ => {}
            }
        }
    }

    fn check_string(&mut self, text: &str, span: proc_macro2::Span) {
        if self.in_test_code()
            && let Some(host) = url_host_off_this_machine(text)
        {
            self.report(span, Rule::NonLoopbackUrl, format!("a URL to `{host}`, which is not this machine: a test calling it depends on the network"));
        }
    }
}

/// What a function's walk changes, restored when it ends.
struct FnState {
    is_test: bool,
    paused: bool,
    loop_depth: usize,
    picks_the_seed: bool,
}

impl<'ast> Visit<'ast> for Walker {
    fn visit_expr_loop(&mut self, e: &'ast syn::ExprLoop) {
        self.loop_depth += 1;
        syn::visit::visit_expr_loop(self, e);
        self.loop_depth -= 1;
    }

    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.loop_depth += 1;
        syn::visit::visit_expr_while(self, e);
        self.loop_depth -= 1;
    }

    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.loop_depth += 1;
        syn::visit::visit_expr_for_loop(self, e);
        self.loop_depth -= 1;
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let cfg_test = m.attrs.iter().any(is_cfg_test);
        self.test_depth += usize::from(cfg_test);
        syn::visit::visit_item_mod(self, m);
        self.test_depth -= usize::from(cfg_test);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let saved = self.enter_fn(&f.attrs, &f.sig, &f.block);
        syn::visit::visit_item_fn(self, f);
        self.leave_fn(saved);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let saved = self.enter_fn(&f.attrs, &f.sig, &f.block);
        syn::visit::visit_impl_item_fn(self, f);
        self.leave_fn(saved);
    }

    // Attributes hold doc comments and `#[ignore = "…"]` reasons: prose, not code.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    // `use` lines name paths without calling them.
    fn visit_item_use(&mut self, _: &'ast syn::ItemUse) {}

    fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
        self.check_path(&e.path);
        syn::visit::visit_expr_path(self, e);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        if self.in_test_code() {
            let method = call.method.to_string();
            if matches!(method.as_str(), "from_entropy" | "from_os_rng") {
                self.report(call.method.span(), Rule::UnseededRandomness, format!("`.{method}()` seeds from the OS; a failing run can't be replayed"));
            }
            // `fake::Fake::fake()` draws from the thread RNG; `fake_with_rng` takes a seeded one.
            if method == "fake" && call.args.is_empty() {
                self.report(call.method.span(), Rule::UnseededRandomness, "`.fake()` draws from the thread RNG: use `.fake_with_rng(&mut seeded_rng)`".to_string());
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        self.check_string(&s.value(), s.span());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.walk_macro_tokens(mac);
    }
}

fn is_sleep(path: &[String]) -> bool {
    let Some((last, before)) = path.split_last() else {
        return false;
    };
    matches!(last.as_str(), "sleep" | "sleep_until" | "sleep_ms")
        && before
            .last()
            .is_some_and(|s| matches!(s.as_str(), "thread" | "time" | "task"))
}

/// Why `path` draws unseeded randomness, if it does.
fn unseeded_source(path: &[String]) -> Option<&'static str> {
    let last = path.last()?.as_str();
    let from_rand = path.first().is_some_and(|s| s == "rand");
    if path.iter().any(|s| s == "OsRng") {
        Some("the operating system's RNG")
    } else if last == "thread_rng" || (from_rand && last == "rng") {
        Some("the thread RNG, seeded from the OS")
    } else if from_rand && last.starts_with("random") {
        Some("`rand`'s convenience functions draw from the thread RNG")
    } else if matches!(last, "from_entropy" | "from_os_rng") {
        Some("seeded from the OS")
    } else {
        None
    }
}

fn is_cfg_test(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("cfg")
        && matches!(&attr.meta, syn::Meta::List(list) if list.tokens.to_string() == "test")
}

/// `#[tokio::test(start_paused = true)]`.
fn starts_paused(attr: &syn::Attribute) -> bool {
    let text = match &attr.meta {
        syn::Meta::List(list) => list.tokens.to_string().replace(' ', ""),
        _ => return false,
    };
    is_test_attr(attr) && text.contains("start_paused=true")
}

/// The body calls `tokio::time::pause()` (or `time::pause()` after a `use`).
fn calls_pause(body: &syn::Block, walker: &Walker) -> bool {
    struct PauseFinder<'w> {
        walker: &'w Walker,
        found: bool,
    }
    impl<'ast> Visit<'ast> for PauseFinder<'_> {
        fn visit_expr_path(&mut self, e: &'ast syn::ExprPath) {
            let full = self.walker.resolve(&e.path);
            if full.last().is_some_and(|s| s == "pause")
                && full.iter().any(|s| s == "time")
            {
                self.found = true;
            }
        }
    }
    let mut finder = PauseFinder {
        walker,
        found: false,
    };
    finder.visit_block(body);
    finder.found
}

/// What counts as an assertion. Documented in the book's checklist chapter:
/// - a macro named `assert…`/`prop_assert…` (std, `insta::assert_snapshot!`,
///   `assert_matches!`), `panic!` or `unreachable!`;
/// - a call to a function or method named `assert…` or `verify…`
///   (`expect_failure::assert_fails_because`, `assert_cmd`'s `.assert()`);
/// - `.unwrap_err()`/`.expect_err(…)`: the test expects a failure;
/// - an expectation a mock verifies when dropped: `.expect(n)` with a number
///   or range, as in wiremock;
/// - `?` in a test that returns `Result` (the harness fails on `Err`);
/// - a call to a function or method *of the same file* that does one of
///   the above (a helper such as `sign_up_and_count_users` that asserts).
///
/// `.unwrap()` and `.expect("…")` alone do *not* count: they say "this did not
/// error", not what the behaviour should be.
struct AssertionFinder<'h> {
    helpers: &'h HashSet<String>,
    found: bool,
    question_mark: bool,
}

impl<'ast> Visit<'ast> for AssertionFinder<'_> {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if name.starts_with("assert")
            || name.starts_with("prop_assert")
            || name == "panic"
            || name == "unreachable"
        {
            self.found = true;
        }
        // `tokio::select!` or `vec!` may hold asserting calls.
        if let Ok(exprs) = mac.parse_body_with(
            Punctuated::<Expr, syn::Token![,]>::parse_terminated,
        ) {
            exprs.iter().for_each(|e| self.visit_expr(e));
        }
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*call.func
            && let Some(last) = p.path.segments.last()
            && (is_assertion_name(&last.ident.to_string())
                || self.helpers.contains(&last.ident.to_string()))
        {
            self.found = true;
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        let numeric_expectation = method == "expect"
            && call.args.len() == 1
            && !matches!(
                &call.args[0],
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(_),
                    ..
                }) | Expr::Macro(_)
                    | Expr::Reference(_)
            );
        // `unwrap_err()`/`expect_err()` state an expected outcome: this must fail.
        let expects_failure =
            matches!(method.as_str(), "unwrap_err" | "expect_err");
        if is_assertion_name(&method)
            || numeric_expectation
            || expects_failure
            || self.helpers.contains(&method)
        {
            self.found = true;
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_try(&mut self, e: &'ast syn::ExprTry) {
        self.question_mark = true;
        syn::visit::visit_expr_try(self, e);
    }

    // A closure or nested fn defined in a test but never called proves nothing;
    // closures passed to a poller usually are called, so they still count.
    fn visit_item_fn(&mut self, _: &'ast syn::ItemFn) {}
}

/// Names of the file's functions (free or in an `impl`) that assert,
/// directly or by calling another that does: repeated until nothing changes.
fn asserting_fns(
    file: &syn::File,
    known_assertions: &[String],
) -> HashSet<String> {
    struct Bodies<'ast>(Vec<(String, &'ast syn::Block)>);
    impl<'ast> Visit<'ast> for Bodies<'ast> {
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            self.0.push((f.sig.ident.to_string(), &f.block));
            syn::visit::visit_item_fn(self, f);
        }
        fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
            self.0.push((f.sig.ident.to_string(), &f.block));
            syn::visit::visit_impl_item_fn(self, f);
        }
    }
    let mut bodies = Bodies(Vec::new());
    bodies.visit_file(file);
    let mut asserting: HashSet<String> =
        known_assertions.iter().cloned().collect();
    loop {
        let before = asserting.len();
        for (name, body) in &bodies.0 {
            let mut finder = AssertionFinder {
                helpers: &asserting,
                found: false,
                question_mark: false,
            };
            finder.visit_block(body);
            if finder.found && !asserting.contains(name) {
                asserting.insert(name.clone());
            }
        }
        if asserting.len() == before {
            return asserting;
        }
    }
}

fn is_assertion_name(name: &str) -> bool {
    name.starts_with("assert") || name.starts_with("verify")
}

fn type_is_result(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident.to_string().ends_with("Result")))
}

/// Every `use` in the file (at any depth): alias → full path.
fn imports_of(file: &syn::File) -> HashMap<String, Vec<String>> {
    struct Uses(HashMap<String, Vec<String>>);
    impl<'ast> Visit<'ast> for Uses {
        fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
            collect_use(&u.tree, &mut Vec::new(), &mut self.0);
        }
    }
    let mut uses = Uses(HashMap::new());
    uses.visit_file(file);
    uses.0
}

fn collect_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut HashMap<String, Vec<String>>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            collect_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    out.insert(last.clone(), prefix.clone());
                }
            } else {
                out.insert(
                    name.clone(),
                    prefix.iter().cloned().chain([name]).collect(),
                );
            }
        }
        syn::UseTree::Rename(r) => {
            out.insert(
                r.rename.to_string(),
                prefix
                    .iter()
                    .cloned()
                    .chain([r.ident.to_string()])
                    .collect(),
            );
        }
        syn::UseTree::Group(g) => {
            g.items.iter().for_each(|t| collect_use(t, prefix, out))
        }
        syn::UseTree::Glob(_) => {}
    }
}
