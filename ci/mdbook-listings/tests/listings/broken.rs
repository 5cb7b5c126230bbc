//! Listings that fail on purpose carry a mark, the failure to expect, and
//! both commands: the one that shows the failure and the one that proves it.

use crate::helpers::{FakeBook, caption_text};

const BROKEN: &str = r#"
// ANCHOR: sleepy
// BROKEN ON PURPOSE: a fixed sleep is shorter than the worker on a busy
// machine. The fixed version polls.
/// Waiting a fixed time for the worker.
#[tokio::test]
#[ignore = "broken on purpose: the worker has not finished when the sleep ends"]
async fn broken_waits_a_fixed_time() {}

/// Proves the test above fails for the stated reason.
#[test]
fn the_fixed_sleep_fails() {}
// ANCHOR_END: sleepy

// ANCHOR: marker_only
// BROKEN ON PURPOSE: shares one database between tests. More text.
/// Two tests that see each other's rows.
#[test]
fn counts_rows() {}
// ANCHOR_END: marker_only
"#;

/// An ignored "broken on purpose" test: the mark, its reason, and the two commands.
#[test]
fn a_broken_listing_is_marked_and_says_what_failure_to_expect() {
    let book = FakeBook::new();
    book.test_crate("jobs", "jobs")
        .write("listings/jobs/tests/jobs/main.rs", "mod pitfalls;\n")
        .write("listings/jobs/tests/jobs/pitfalls.rs", BROKEN);

    let out = book.preprocess("jobs.md", Some(4), "```rust,ignore\n{{#include ../listings/jobs/tests/jobs/pitfalls.rs:sleepy}}\n```\n");

    assert_eq!(
        caption_text(&out),
        "Listing 4.1 · tests/jobs/pitfalls.rs ⚠ fails on purpose\n\
         Waiting a fixed time for the worker.\n\
         Expected failure: the worker has not finished when the sleep ends\n\
         See it fail: cargo test -p jobs --test jobs -- --ignored --exact pitfalls::broken_waits_a_fixed_time\n\
         Prove it fails for that reason: cargo test -p jobs --test jobs -- --exact pitfalls::the_fixed_sleep_fails",
        "output:\n{out}"
    );
    assert!(
        out.contains("class=\"listing-caption broken\""),
        "the caption carries the `broken` class for its red mark; output:\n{out}"
    );
}

/// Without an `ignore` reason, the marker comment's first sentence is the
/// failure to expect.
#[test]
fn the_marker_comment_alone_also_marks_a_listing_broken() {
    let book = FakeBook::new();
    book.test_crate("jobs", "jobs")
        .write("listings/jobs/tests/jobs/main.rs", "mod pitfalls;\n")
        .write("listings/jobs/tests/jobs/pitfalls.rs", BROKEN);

    let out = book.preprocess("jobs.md", Some(4), "```rust,ignore\n{{#include ../listings/jobs/tests/jobs/pitfalls.rs:marker_only}}\n```\n");

    let captions = caption_text(&out);
    assert!(
        captions.contains("⚠ fails on purpose"),
        "marked; captions:\n{captions}"
    );
    assert!(
        captions
            .contains("Expected failure: shares one database between tests."),
        "first sentence of the marker; captions:\n{captions}"
    );
}

/// A test ignored for another reason (a proving test runs it in a child
/// process with its own environment) passes there: no warning mark.
#[test]
fn a_test_ignored_for_another_reason_is_not_marked_broken() {
    const RUN_BY_ANOTHER: &str = r#"
// ANCHOR: child
/// Runs only with DATABASE_URL set.
#[tokio::test]
#[ignore = "needs DATABASE_URL: the parent test runs it with one"]
async fn needs_a_url() {}
// ANCHOR_END: child
"#;
    let book = FakeBook::new();
    book.test_crate("jobs", "jobs")
        .write("listings/jobs/tests/jobs/main.rs", "mod child;\n")
        .write("listings/jobs/tests/jobs/child.rs", RUN_BY_ANOTHER);

    let out = book.preprocess("jobs.md", Some(4), "```rust,ignore\n{{#include ../listings/jobs/tests/jobs/child.rs:child}}\n```\n");

    let captions = caption_text(&out);
    assert!(
        !captions.contains("fails on purpose")
            && !captions.contains("Expected failure"),
        "not marked; captions:\n{captions}"
    );
    assert!(
        !out.contains("listing-caption broken"),
        "no `broken` class; output:\n{out}"
    );
}
