//! The ordinary case: a test included by anchor gets number, file, the line
//! it proves and the command that runs exactly it.

use crate::helpers::{FakeBook, caption_text};

const SIGN_UP_TESTS: &str = r#"use crate::helpers::spawn_app;

// ANCHOR: sign_up
/// A sign-up stores the user. It also sends an email.
#[tokio::test]
async fn a_sign_up_stores_the_user() {
    assert_eq!(1 + 1, 2, "arithmetic still works");
}
// ANCHOR_END: sign_up

// ANCHOR: two_tests -- both reads of a stored user agree
/// Reading back by id.
#[test]
fn read_by_id() {}

mod nested {
    /// Reading back by email.
    #[test]
    fn read_by_email() {}
}
// ANCHOR_END: two_tests
"#;

fn book_with_sign_up_tests() -> FakeBook {
    let book = FakeBook::new();
    book.test_crate("shop", "api")
        .write("listings/shop/tests/api/main.rs", "mod helpers;\nmod sign_up;\n")
        .write("listings/shop/tests/api/sign_up.rs", SIGN_UP_TESTS)
        .write(
            "listings/shop/tests/api/helpers.rs",
            "// ANCHOR: spawn\n/// Starts the app on a free port.\npub async fn spawn_app() {}\n// ANCHOR_END: spawn\n",
        );
    book
}

/// One included test: its caption names the listing, the file inside the
/// crate, the first sentence of its doc, and the exact command.
#[test]
fn an_included_test_gets_number_file_scenario_and_command() {
    let book = book_with_sign_up_tests();

    let out = book.preprocess(
        "first.md",
        Some(3),
        "# First\n\nSome prose.\n\n```rust,ignore\n{{#include ../listings/shop/tests/api/sign_up.rs:sign_up}}\n```\n",
    );

    assert_eq!(
        caption_text(&out),
        "Listing 3.1 · tests/api/sign_up.rs\n\
         A sign-up stores the user.\n\
         Run it: cargo test -p shop --test api -- --exact sign_up::a_sign_up_stores_the_user",
        "caption of the first listing in chapter 3; whole output:\n{out}"
    );
    assert!(
        out.contains("id=\"listing-3-1\""),
        "the caption is a link target `listing-3-1`; output:\n{out}"
    );
    assert!(
        out.contains("</div>\n\n```rust,ignore\n/// A sign-up stores the user. It also sends an email.\n#[tokio::test]\nasync fn a_sign_up_stores_the_user() {\n"),
        "the block holds the region itself, without its ANCHOR lines, right after the caption; output:\n{out}"
    );
    assert!(
        !out.contains("{{#include"),
        "the anchored include is expanded here, not left to `links`; output:\n{out}"
    );
}

/// Several listings in a chapter are numbered in order; a region with two
/// tests (one in an inline module) runs both, by exact path; a note on the
/// ANCHOR line replaces the doc sentence.
#[test]
fn listings_are_numbered_in_order_and_an_anchor_note_wins() {
    let book = book_with_sign_up_tests();

    let out = book.preprocess(
        "first.md",
        Some(2),
        "```rust,ignore\n{{#include ../listings/shop/tests/api/sign_up.rs:sign_up}}\n```\n\n\
         ```rust\nfn main() {} // inline blocks get no caption\n```\n\n\
         ```rust,ignore\n{{#include ../listings/shop/tests/api/sign_up.rs:two_tests}}\n```\n",
    );

    let captions = caption_text(&out);
    assert!(
        captions.contains("Listing 2.1 · tests/api/sign_up.rs"),
        "first listing is 2.1; captions:\n{captions}"
    );
    assert!(
        captions.contains("Listing 2.2 · tests/api/sign_up.rs"),
        "the inline block is not counted, so the next is 2.2; captions:\n{captions}"
    );
    assert!(
        !captions.contains("Listing 2.3"),
        "only two listings; captions:\n{captions}"
    );
    assert!(
        captions.contains("both reads of a stored user agree"),
        "the ANCHOR line's note is the caption's line; captions:\n{captions}"
    );
    assert!(
        captions.contains("Run it: cargo test -p shop --test api -- --exact sign_up::read_by_id sign_up::nested::read_by_email"),
        "both tests of the region, with their module paths; captions:\n{captions}"
    );
}

/// A helper has no test of its own: the caption says which tests use it.
#[test]
fn a_helper_says_which_tests_use_it() {
    let book = book_with_sign_up_tests();

    let out = book.preprocess("first.md", Some(1), "```rust,ignore\n{{#include ../listings/shop/tests/api/helpers.rs:spawn}}\n```\n");

    assert_eq!(
        caption_text(&out),
        "Listing 1.1 · tests/api/helpers.rs\nStarts the app on a free port.\nUsed by the tests in: cargo test -p shop --test api",
        "output:\n{out}"
    );
}

/// An include inside a list item gets its caption indented with it, so the
/// list is not broken in two.
#[test]
fn a_caption_in_a_list_item_keeps_the_items_indentation() {
    let book = book_with_sign_up_tests();

    let out = book.preprocess("first.md", Some(1), "1. Step one:\n\n   ```rust,ignore\n   {{#include ../listings/shop/tests/api/helpers.rs:spawn}}\n   ```\n");

    assert!(
        out.contains(
            "\n   <div class=\"listing-caption\" id=\"listing-1-1\">\n"
        ),
        "caption indented by three spaces; output:\n{out}"
    );
}

/// An include that points nowhere stops the build with the listing's number
/// and path, instead of a caption that lies.
#[test]
fn a_missing_anchor_is_an_error_naming_the_listing() {
    let book = book_with_sign_up_tests();

    let error = book.preprocess_err("first.md", "```rust,ignore\n{{#include ../listings/shop/tests/api/sign_up.rs:no_such_anchor}}\n```\n");

    assert!(
        error.contains("first.md")
            && error.contains("no `ANCHOR: no_such_anchor` line"),
        "the error should name the chapter and the anchor, got: {error}"
    );
}

/// A region cut from inside an `impl` takes its line from the method in it;
/// a region holding the whole `impl` doesn't borrow one method's doc.
#[test]
fn methods_speak_for_a_region_inside_an_impl_but_not_for_a_whole_impl() {
    let book = FakeBook::new();
    book.test_crate("shop", "api").write(
        "listings/shop/tests/api/helpers.rs",
        "pub struct App;\n\
         // ANCHOR: whole_impl\n\
         impl App {\n    pub fn pool(&self) {}\n\n    /// `POST /users` with a JSON body.\n    pub fn post_user(&self) {}\n\n\
         // ANCHOR: one_method\n    /// Reads a user back by id.\n    pub fn get_user(&self) {}\n    // ANCHOR_END: one_method\n}\n\
         // ANCHOR_END: whole_impl\n",
    );

    let whole = book.preprocess("first.md", Some(1), "```rust,ignore\n{{#include ../listings/shop/tests/api/helpers.rs:whole_impl}}\n```\n");
    let one = book.preprocess("first.md", Some(1), "```rust,ignore\n{{#include ../listings/shop/tests/api/helpers.rs:one_method}}\n```\n");

    assert!(
        !caption_text(&whole).contains("POST /users"),
        "a whole impl is not described by one of its methods: {}",
        caption_text(&whole)
    );
    assert!(
        caption_text(&one).contains("Reads a user back by id."),
        "the method inside the region describes it: {}",
        caption_text(&one)
    );
}

/// Tests that only call a documented helper take their line from it: the
/// first undocumented test does not leave the caption without one.
#[test]
fn undocumented_tests_take_the_line_of_the_helper_they_call() {
    let book = FakeBook::new();
    book.test_crate("shop", "api").write(
        "listings/shop/tests/api/cache.rs",
        "// ANCHOR: same_test\n\
         /// Every cache forgets a value once it expires.\n\
         async fn forgets(cache: u8) {}\n\n\
         #[tokio::test]\nasync fn the_double_forgets() { forgets(1).await }\n\
         // ANCHOR_END: same_test\n",
    );

    let out = book.preprocess("first.md", Some(1), "```rust,ignore\n{{#include ../listings/shop/tests/api/cache.rs:same_test}}\n```\n");

    assert!(
        caption_text(&out).contains("Every cache forgets a value"),
        "the helper's doc describes the listing: {}",
        caption_text(&out)
    );
}
