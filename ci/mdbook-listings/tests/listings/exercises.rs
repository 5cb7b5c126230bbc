//! An exercise starter is marked as such, says the task, and gives the
//! command that runs it (and fails until the reader solves it).

use crate::helpers::{FakeBook, caption_text};

const EXERCISE: &str = r#"
mod starter {
    // ANCHOR: starter
    /// Spaces around a name are not stored.
    #[test]
    #[ignore = "exercise starter: replace the todo!() with a SELECT of the stored name"]
    fn a_name_is_stored_trimmed() {
        let stored: String = todo!("exercise");
        assert_eq!(stored, "Ada");
    }
    // ANCHOR_END: starter
}

mod solution {
    // ANCHOR: solution
    /// Spaces around a name are not stored.
    #[test]
    fn a_name_is_stored_trimmed() {
        assert_eq!("  Ada ".trim(), "Ada");
    }
    // ANCHOR_END: solution
}
"#;

/// The starter's caption: exercise mark, task, and the `--ignored` command.
#[test]
fn a_starter_gets_the_exercise_mark_its_task_and_command() {
    let book = FakeBook::new();
    book.test_crate("shop", "api")
        .write("listings/shop/tests/api/main.rs", "mod exercises;\n")
        .write("listings/shop/tests/api/exercises/mod.rs", EXERCISE);

    let out = book.preprocess("first.md", Some(2), "```rust,ignore\n{{#include ../listings/shop/tests/api/exercises/mod.rs:starter}}\n```\n");

    assert_eq!(
        caption_text(&out),
        "Listing 2.1 · tests/api/exercises/mod.rs ✎ exercise starter\n\
         Spaces around a name are not stored.\n\
         Your task: replace the todo!() with a SELECT of the stored name\n\
         Run it (it fails until you solve it): cargo test -p shop --test api -- --ignored --exact exercises::starter::a_name_is_stored_trimmed",
        "output:\n{out}"
    );
    assert!(
        !out.contains("fails on purpose"),
        "a starter is not a broken listing; output:\n{out}"
    );
}

/// The solution is an ordinary test, run by the ordinary command.
#[test]
fn a_solution_is_an_ordinary_listing() {
    let book = FakeBook::new();
    book.test_crate("shop", "api")
        .write("listings/shop/tests/api/main.rs", "mod exercises;\n")
        .write("listings/shop/tests/api/exercises/mod.rs", EXERCISE);

    let out = book.preprocess("solutions.md", None, "```rust,ignore\n{{#include ../listings/shop/tests/api/exercises/mod.rs:solution}}\n```\n");

    assert_eq!(
        caption_text(&out),
        "Listing A.1 · tests/api/exercises/mod.rs\n\
         Spaces around a name are not stored.\n\
         Run it: cargo test -p shop --test api -- --exact exercises::solution::a_name_is_stored_trimmed",
        "an unnumbered chapter's listings are A.1, A.2, …; output:\n{out}"
    );
}

/// A region cut from inside a `mod` is shown from the left margin: the
/// indentation every line shares is removed, the rest is kept.
#[test]
fn a_region_inside_a_module_is_dedented() {
    let book = FakeBook::new();
    book.test_crate("shop", "api")
        .write("listings/shop/tests/api/main.rs", "mod exercises;\n")
        .write("listings/shop/tests/api/exercises/mod.rs", EXERCISE);

    let out = book.preprocess("first.md", Some(2), "```rust,ignore\n{{#include ../listings/shop/tests/api/exercises/mod.rs:starter}}\n```\n");

    let code = out
        .split("```rust,ignore\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the code block");
    assert_eq!(
        code.lines().take(3).collect::<Vec<_>>(),
        [
            "/// Spaces around a name are not stored.",
            "#[test]",
            "#[ignore = \"exercise starter: replace the todo!() with a SELECT of the stored name\"]"
        ],
        "first lines, at the left margin; the block:\n{code}"
    );
    assert!(
        code.contains("\n    let stored: String = todo!(\"exercise\");\n"),
        "the body keeps its own indentation; the block:\n{code}"
    );
}
