//! Each rule against its fixture in `tests/fixtures/`: every `flagged_*`
//! function gets exactly the rule's finding (a true positive), every
//! `clean_*` function gets none (a true negative).

use std::{collections::BTreeMap, path::Path};

use syn::spanned::Spanned;
use test_lint::{Finding, Rule, lint_source, url_host_off_this_machine};

/// The fixture's findings, grouped by the top-level function they fall in.
fn findings_per_function(fixture: &str) -> BTreeMap<String, Vec<Finding>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("could not read {}: {e}", path.display()));
    let findings = lint_source(&path, &source)
        .unwrap_or_else(|e| panic!("{fixture} does not parse: {e}"));
    let file = syn::parse_file(&source).unwrap();
    let mut per_fn = BTreeMap::new();
    for item in &file.items {
        if let syn::Item::Fn(f) = item {
            let (first, last) =
                (item.span().start().line, item.span().end().line);
            let inside = findings
                .iter()
                .filter(|x| first <= x.line && x.line <= last)
                .cloned()
                .collect();
            per_fn.insert(f.sig.ident.to_string(), inside);
        }
    }
    let outside: Vec<_> = findings
        .iter()
        .filter(|x| !per_fn.values().flatten().any(|y| y == *x))
        .collect();
    assert!(
        outside.is_empty(),
        "{fixture}: findings outside any function: {outside:#?}"
    );
    per_fn
}

/// Asserts the fixture's `flagged_*` functions each break `rule` (and only
/// it) and its `clean_*` functions break nothing.
fn assert_rule_on_fixture(rule: Rule, fixture: &str) {
    let per_fn = findings_per_function(fixture);
    let flagged = per_fn
        .keys()
        .filter(|name| name.starts_with("flagged_"))
        .count();
    let clean = per_fn
        .keys()
        .filter(|name| name.starts_with("clean_"))
        .count();
    assert!(
        flagged > 0 && clean > 0,
        "{fixture} needs flagged_ and clean_ functions, has {:?}",
        per_fn.keys()
    );
    for (name, found) in &per_fn {
        let rules: Vec<Rule> = found.iter().map(|f| f.rule).collect();
        if name.starts_with("flagged_") {
            assert_eq!(
                rules,
                [rule],
                "{fixture}: expected `{name}` flagged for {} exactly once, got {found:#?}",
                rule.id()
            );
            assert!(
                found[0].is_allowed(),
                "{fixture}: `{name}` is marked BROKEN ON PURPOSE, so its finding should be allowed"
            );
        } else {
            assert!(
                found.is_empty(),
                "{fixture}: expected `{name}` clean, got {found:#?}"
            );
        }
    }
}

/// `std::thread::sleep` and `tokio::time::sleep` on a real clock are flagged;
/// paused time and polling are not.
#[test]
fn fixed_sleeps_are_flagged_and_paused_time_is_not() {
    assert_rule_on_fixture(Rule::FixedSleep, "sleeps.rs");
}

/// `rand::random`, `from_os_rng` and `.fake()` are flagged; a seeded
/// `StdRng` and `fake_with_rng` are not.
#[test]
fn unseeded_randomness_is_flagged_and_a_seeded_rng_is_not() {
    assert_rule_on_fixture(Rule::UnseededRandomness, "randomness.rs");
}

/// A URL to another host is flagged, in a plain string or inside a macro;
/// loopback URLs, reserved names and email addresses are not.
#[test]
fn urls_off_this_machine_are_flagged_and_loopback_is_not() {
    assert_rule_on_fixture(Rule::NonLoopbackUrl, "urls.rs");
}

/// A test that only calls code (or only unwraps) is flagged; assert macros,
/// `?` in a `Result` test, verified mock expectations, assert functions and
/// `#[should_panic]` count as checking.
#[test]
fn tests_that_assert_nothing_are_flagged_and_the_accepted_checks_are_not() {
    assert_rule_on_fixture(Rule::NoAssertion, "assertions.rs");
}

/// `#[ignore]` alone is flagged; `#[ignore = "why"]` is not.
#[test]
fn ignore_without_a_reason_is_flagged_and_with_one_is_not() {
    assert_rule_on_fixture(Rule::IgnoreWithoutReason, "ignores.rs");
}

/// The URL rule's host test, case by case.
// test-lint: allow(non-loopback-url) -- the hosts this test judges; nothing calls them
#[test]
fn url_hosts_are_judged_by_where_they_point() {
    let cases = [
        ("http://127.0.0.1:8080/users", None),
        ("http://127.9.9.9/", None),
        ("http://localhost:3000", None),
        ("http://[::1]:9000/", None),
        ("http://0.0.0.0:8000", None),
        ("https://email.staging.mail-provider.example/", None),
        ("http://db.test/", None),
        ("http://{addr}/users", None),
        ("ada@example.com", None),
        ("mailto:ada@example.com", None),
        ("https://example.com/", Some("example.com")),
        ("see http://10.0.0.7:8080/send", Some("10.0.0.7")),
        (
            "http://user:secret@api.mail-provider.com/",
            Some("api.mail-provider.com"),
        ),
        (
            "http://localhost.mail-provider.com/",
            Some("localhost.mail-provider.com"),
        ),
        (
            "HTTPS://API.MAIL-PROVIDER.COM",
            Some("API.MAIL-PROVIDER.COM"),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            url_host_off_this_machine(text).as_deref(),
            expected,
            "host off this machine in {text:?}"
        );
    }
}

/// The marker allows the item right after it, and nothing else: the same
/// sleep in the next, unmarked, function is reported.
#[test]
fn a_marker_allows_only_the_item_it_precedes() {
    let source = "\
// BROKEN ON PURPOSE: sleeps
#[test]
fn marked() { std::thread::sleep(D); assert!(done()); }

#[test]
fn unmarked() { std::thread::sleep(D); assert!(done()); }
";
    let findings = lint_source(Path::new("tests/a.rs"), source).unwrap();
    let allowed: Vec<(usize, bool)> =
        findings.iter().map(|f| (f.line, f.is_allowed())).collect();
    assert_eq!(
        allowed,
        [(3, true), (6, false)],
        "expected the sleep on line 3 allowed and the one on line 6 reported"
    );
}

/// A marker separated from the item by a blank line, or inside another
/// item's body, covers nothing.
#[test]
fn a_marker_must_sit_right_above_the_item() {
    let source = "\
// BROKEN ON PURPOSE: sleeps

#[test]
fn too_far() { std::thread::sleep(D); assert!(done()); }
";
    let findings = lint_source(Path::new("tests/a.rs"), source).unwrap();
    assert!(
        findings.len() == 1 && !findings[0].is_allowed(),
        "expected one reported finding, got {findings:#?}"
    );
}

/// Outside test code (a library's `src/`, not in `#[cfg(test)]`), a sleep
/// is the program's business, not the checklist's.
#[test]
fn only_test_code_is_checked_for_sleeps() {
    let source = "fn backoff() { std::thread::sleep(D) }\n#[cfg(test)]\nmod tests { fn helper() { std::thread::sleep(D) } }\n";
    let lines: Vec<usize> = lint_source(Path::new("src/lib.rs"), source)
        .unwrap()
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(
        lines,
        [3],
        "expected only the sleep in the #[cfg(test)] module"
    );
    let in_tests_dir =
        lint_source(Path::new("tests/api/helpers.rs"), source).unwrap();
    assert_eq!(
        in_tests_dir.len(),
        2,
        "under tests/ every function is test code: {in_tests_dir:#?}"
    );
}

/// A project's own assertion helper counts once it is named with
/// `--assertion` (here `until`, from a polling helper that panics at its deadline).
#[test]
fn a_named_assertion_helper_counts_as_an_assertion() {
    let source = "#[tokio::test]\nasync fn waits() { poll(\"sent\").until(|| status(), |s| s == \"sent\").await; }\n";
    let path = Path::new("tests/a.rs");
    let without = lint_source(path, source).unwrap();
    assert_eq!(
        without.iter().map(|f| f.rule).collect::<Vec<_>>(),
        [Rule::NoAssertion],
        "without the option: {without:#?}"
    );
    let options = test_lint::Options {
        assertion_fns: vec!["until".into()],
    };
    let with = test_lint::lint_source_with(path, source, &options).unwrap();
    assert!(
        with.is_empty(),
        "with --assertion until, expected no finding, got {with:#?}"
    );
}
