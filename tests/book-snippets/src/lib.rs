//! Inline Rust blocks in the chapters come in two kinds:
//!
//! - ```` ```rust ````: std only. `mdbook test` compiles and runs them as is.
//! - ```` ```rust,deps ````: they use crates (tokio, serde_json, reqwest,
//!   wiremock). Plain `mdbook test` can't link those, so for it the
//!   `mdbook-snippets` preprocessor turns the block into `rust,ignore`.
//!
//! `cargo test -p book-snippets` runs both kinds (skeptic generates one test
//! per block; `tests/skeptic.rs` compiles each against the crates built
//! alone into `target/snippets`). It is the one runner of every inline
//! block; `cargo xtask ci` checks it ran at least its minimum.

/// The crates a `rust,deps` block may use, as rustc names them.
pub const SNIPPET_CRATES: [&str; 5] =
    ["reqwest", "serde", "serde_json", "tokio", "wiremock"];

/// Rewrites the `rust,deps` blocks of one chapter for `mdbook test`: each
/// becomes `rust,ignore` (skeptic runs it instead).
pub fn prepare_for_test(markdown: &str) -> String {
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
                out.push_str(&format!(
                    "{indent}{fence}{},ignore\n",
                    kept.join(",")
                ));
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

    /// For mdbook test, a deps block is ignored; a std-only one is kept.
    #[test]
    fn a_deps_block_is_ignored_and_others_are_untouched() {
        let out = prepare_for_test(CHAPTER);
        assert!(out.contains("```rust,ignore\nuse tokio::time;"), "{out}");
        assert!(out.contains("```rust\nfn main() {}"), "{out}");
    }
}
