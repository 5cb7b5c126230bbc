//! The command depends on where the file sits in its crate.

use std::path::Path;

use mdbook_listings::target::{self, Kind};

use crate::helpers::FakeBook;

/// `tests/x.rs`, `src/…`, `src/bin/…` and `examples/…` map to the targets
/// cargo would build them in, with the module path of the file.
#[test]
fn files_map_to_the_cargo_target_that_builds_them() {
    let book = FakeBook::new();
    book.write(
        "listings/shop/Cargo.toml",
        "[package]\nname = \"shop\"\n\n[[bin]]\nname = \"bench-shop\"\npath = \"src/bin/bench_shop.rs\"\n",
    );
    let at = |p: &str| {
        target::find(&book.root().join("listings/shop").join(p))
            .unwrap_or_else(|e| panic!("{p}: {e}"))
    };

    let cases: [(&str, Kind, &[&str], &str); 5] = [
        (
            "tests/smoke.rs",
            Kind::Test("smoke".into()),
            &[],
            "cargo test -p shop --test smoke",
        ),
        (
            "tests/api/users/create.rs",
            Kind::Test("api".into()),
            &["users", "create"],
            "cargo test -p shop --test api",
        ),
        (
            "src/db/mod.rs",
            Kind::Lib,
            &["db"],
            "cargo test -p shop --lib",
        ),
        (
            "src/bin/bench_shop.rs",
            Kind::Bin("bench-shop".into()),
            &[],
            "cargo run -p shop --bin bench-shop",
        ),
        (
            "examples/bench.rs",
            Kind::Example("bench".into()),
            &[],
            "cargo run -p shop --example bench",
        ),
    ];
    for (path, kind, modules, command) in cases {
        let found = at(path);
        assert_eq!(found.kind, kind, "{path}: target");
        assert_eq!(found.module_path, modules, "{path}: module path");
        assert_eq!(found.path_in_crate, path, "{path}: path inside the crate");
        assert_eq!(found.cargo_command(false), command, "{path}: command");
    }
}

/// A file outside every crate is an error that says so.
#[test]
fn a_file_outside_any_crate_is_an_error() {
    let error = target::find(Path::new("/definitely/not/a/crate/file.rs"))
        .expect_err("no Cargo.toml above it");
    assert!(error.contains("not inside a cargo package"), "got: {error}");
}

/// Rustdoc links mean nothing in a caption: `[`EmailClient::send`]` becomes
/// `` `EmailClient::send` ``; ordinary Markdown links stay.
#[test]
fn intra_doc_links_become_plain_text() {
    use mdbook_listings::region::without_intra_doc_links;
    assert_eq!(
        without_intra_doc_links(
            "Tries [`EmailClient::send`] up to [MAX] times."
        ),
        "Tries `EmailClient::send` up to MAX times."
    );
    assert_eq!(
        without_intra_doc_links("See [the guide](guide.md) and [x][ref]."),
        "See [the guide](guide.md) and [x][ref]."
    );
}
