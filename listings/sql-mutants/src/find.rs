//! Finds the SQL in a crate: string literals that start like a statement.

use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// One SQL string literal, located in its file.
#[derive(Debug, Clone)]
pub struct SqlLiteral {
    pub file: PathBuf,
    /// Byte offset of the literal's first character (its opening quote or
    /// `r#"`) in the file.
    pub start: usize,
    /// The literal exactly as written, quotes and escapes included: mutants
    /// are edits of this text, so the file keeps its layout.
    pub source: String,
}

/// The keywords a statement starts with. A literal that starts otherwise
/// (a log line, a URL) is not SQL to this tool.
const STATEMENTS: [&str; 5] = ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"];

/// Every SQL literal in the `.rs` files under `dir`, file by file, in the
/// order they appear.
pub fn sql_literals(dir: &Path) -> Result<Vec<SqlLiteral>, String> {
    let mut files = Vec::new();
    rust_files(dir, &mut files)?;
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        found.extend(in_source(&file, &text)?);
    }
    Ok(found)
}

/// The SQL literals of one file's text.
pub fn in_source(file: &Path, text: &str) -> Result<Vec<SqlLiteral>, String> {
    let syntax = syn::parse_file(text).map_err(|e| {
        format!("{}: not Rust syn can parse: {e}", file.display())
    })?;
    let mut visitor = Literals::default();
    visitor.visit_file(&syntax);
    let line_starts = line_starts(text);
    let mut found = Vec::new();
    for Found { value, at, source } in visitor.found {
        let first_word = value.split_whitespace().next().unwrap_or("");
        if !STATEMENTS.contains(&first_word.to_uppercase().as_str()) {
            continue;
        }
        // proc-macro2 counts lines from 1 and columns in characters.
        let line = &text[line_starts[at.line - 1]..];
        let column: usize =
            line.chars().take(at.column).map(char::len_utf8).sum();
        let start = line_starts[at.line - 1] + column;
        if !text[start..].starts_with(&source) {
            return Err(format!(
                "{}:{}: the literal is not where syn says",
                file.display(),
                at.line
            ));
        }
        found.push(SqlLiteral {
            file: file.to_owned(),
            start,
            source,
        });
    }
    Ok(found)
}

/// Byte offsets of the start of each line: the line of any offset is then a
/// binary search away.
pub fn line_starts(text: &str) -> Vec<usize> {
    let newlines = text.match_indices('\n').map(|(i, _)| i + 1);
    std::iter::once(0).chain(newlines).collect()
}

/// The 1-based line of byte `offset` in a text with these line starts.
pub fn line_of(line_starts: &[usize], offset: usize) -> usize {
    line_starts.partition_point(|&start| start <= offset)
}

/// What the visitor keeps of a literal (syn's own isn't `Clone` without a
/// feature this crate has no other use for).
struct Found {
    value: String,
    at: proc_macro2::LineColumn,
    /// The literal as written.
    source: String,
}

#[derive(Default)]
struct Literals {
    found: Vec<Found>,
}

impl<'ast> Visit<'ast> for Literals {
    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        self.found.push(Found {
            value: lit.value(),
            at: lit.span().start(),
            source: lit.token().to_string(),
        });
    }

    // Doc comments are string literals too ("with theirs" starts like a
    // `WITH`), and attributes hold no queries.
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    // `sqlx::query!("...")`, `tokio::select! { ... }` and friends: a
    // macro's input is tokens, not syntax syn can visit, so every string
    // literal among them is taken, however deep.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_tokens(mac.tokens.clone());
    }
}

impl Literals {
    fn visit_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        for tree in tokens {
            match tree {
                proc_macro2::TokenTree::Group(group) => {
                    self.visit_tokens(group.stream())
                }
                proc_macro2::TokenTree::Literal(literal) => {
                    let token = proc_macro2::TokenTree::Literal(literal);
                    if let Ok(lit) = syn::parse2::<syn::LitStr>(token.into()) {
                        self.visit_lit_str(&lit);
                    }
                }
                _ => {}
            }
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
    Ok(())
}
