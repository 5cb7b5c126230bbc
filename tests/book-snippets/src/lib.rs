//! Inline Rust blocks in the chapters come in two kinds:
//!
//! - ```` ```rust ````: std only. `mdbook test` compiles and runs them as is.
//! - ```` ```rust,deps ````: they use crates (tokio, serde_json, reqwest,
//!   wiremock). Plain `mdbook test` can't link those, so for it the
//!   `mdbook-snippets` preprocessor turns the block into `rust,ignore`.
//!   `ci/mdbook-test` builds the crates alone into `target/snippets` and sets
//!   [`DEPS_ENV`]; then the preprocessor keeps the block and adds hidden
//!   `extern crate` lines, which is how a 2018+ edition crate is told to look
//!   for a dependency in a `-L` directory.
//!
//! `cargo test -p book-snippets` runs both kinds too (skeptic generates the
//! tests; `tests/skeptic.rs` compiles them against `target/snippets`).

/// Set (to anything) when `target/snippets/debug/deps` is on `mdbook test`'s library path.
pub const DEPS_ENV: &str = "BOOK_SNIPPET_DEPS";

/// The crates a `rust,deps` block may use, as rustc names them.
pub const SNIPPET_CRATES: [&str; 5] =
    ["reqwest", "serde", "serde_json", "tokio", "wiremock"];

/// Rewrites the `rust,deps` blocks of one chapter for `mdbook test`.
pub fn prepare_for_test(markdown: &str, deps_available: bool) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut in_block: Option<String> = None;
    for line in markdown.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(fence) = &in_block {
            if trimmed.trim_end() == fence {
                in_block = None;
            }
            out.push_str(line);
            continue;
        }
        if trimmed.starts_with("```") {
            let fence: String =
                trimmed.chars().take_while(|c| *c == '`').collect();
            let info = trimmed[fence.len()..].trim();
            let attributes: Vec<&str> =
                info.split(',').map(str::trim).collect();
            in_block = Some(fence.clone());
            if attributes.first() == Some(&"rust")
                && attributes.contains(&"deps")
            {
                let kept: Vec<&str> = attributes
                    .iter()
                    .copied()
                    .filter(|a| *a != "deps")
                    .collect();
                let indent = &line[..line.len() - trimmed.len()];
                if deps_available {
                    out.push_str(&format!(
                        "{indent}{fence}{}\n",
                        kept.join(",")
                    ));
                    for krate in SNIPPET_CRATES {
                        out.push_str(&format!(
                            "{indent}# extern crate {krate};\n"
                        ));
                    }
                } else {
                    out.push_str(&format!(
                        "{indent}{fence}{},ignore\n",
                        kept.join(",")
                    ));
                }
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAPTER: &str = "# T\n\n```rust,deps\nuse tokio::time;\n```\n\n```rust\nfn main() {}\n```\n";

    #[test]
    fn without_the_crates_a_deps_block_is_ignored_and_others_are_untouched() {
        let out = prepare_for_test(CHAPTER, false);
        assert!(out.contains("```rust,ignore\nuse tokio::time;"), "{out}");
        assert!(out.contains("```rust\nfn main() {}"), "{out}");
    }

    #[test]
    fn with_the_crates_a_deps_block_runs_with_hidden_extern_crate_lines() {
        let out = prepare_for_test(CHAPTER, true);
        assert!(out.contains("```rust\n# extern crate reqwest;\n"), "{out}");
        assert!(out.contains("# extern crate tokio;\n# extern crate wiremock;\nuse tokio::time;"), "{out}");
        assert!(!out.contains("ignore"), "{out}");
    }
}
