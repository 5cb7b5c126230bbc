//! A throwaway book on disk: `src/` with chapters and `listings/` with crates.

use std::path::{Path, PathBuf};

use mdbook_listings::Listings;
use mdbook_preprocessor::{
    Preprocessor, PreprocessorContext,
    book::{Book, BookItem, Chapter, SectionNumber},
    config::Config,
};

/// A book in a temporary directory, deleted when dropped.
pub struct FakeBook {
    dir: tempfile::TempDir,
}

impl FakeBook {
    pub fn new() -> Self {
        let book = FakeBook {
            dir: tempfile::tempdir().expect("a temporary directory"),
        };
        book.write("src/SUMMARY.md", "# Summary\n");
        book
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `text` to `path` (relative to the book root), creating folders.
    pub fn write(&self, path: &str, text: &str) -> &Self {
        let full: PathBuf = self.root().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
        self
    }

    /// A crate `listings/<name>` with one test binary `tests/<bin>/main.rs`,
    /// declared the way this workspace declares them.
    pub fn test_crate(&self, name: &str, bin: &str) -> &Self {
        self.write(
            &format!("listings/{name}/Cargo.toml"),
            &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n\n[[test]]\nname = \"{bin}\"\npath = \"tests/{bin}/main.rs\"\n"),
        )
    }

    /// Runs the preprocessor, as `mdbook build` would, on one chapter
    /// `src/<file>` numbered `number`, and returns the chapter's new Markdown.
    pub fn preprocess(
        &self,
        file: &str,
        number: Option<u32>,
        markdown: &str,
    ) -> String {
        self.write(&format!("src/{file}"), markdown);
        let mut chapter =
            Chapter::new("A chapter", markdown.to_string(), file, Vec::new());
        chapter.number = number.map(|n| SectionNumber::new(vec![n]));
        let mut book = Book::new();
        book.push_item(BookItem::Chapter(chapter));
        let ctx = PreprocessorContext::new(
            self.root().to_path_buf(),
            Config::default(),
            "html".to_string(),
        );

        let book = Listings
            .run(&ctx, book)
            .unwrap_or_else(|e| panic!("the preprocessor failed: {e:#}"));
        let Some(BookItem::Chapter(chapter)) = book.items.into_iter().next()
        else {
            panic!("the chapter disappeared")
        };
        chapter.content
    }

    /// Like [`FakeBook::preprocess`], but expects an error and returns it.
    pub fn preprocess_err(&self, file: &str, markdown: &str) -> String {
        self.write(&format!("src/{file}"), markdown);
        let mut book = Book::new();
        book.push_item(BookItem::Chapter(Chapter::new(
            "A chapter",
            markdown.to_string(),
            file,
            Vec::new(),
        )));
        let ctx = PreprocessorContext::new(
            self.root().to_path_buf(),
            Config::default(),
            "html".to_string(),
        );
        match Listings.run(&ctx, book) {
            Ok(_) => panic!(
                "expected the preprocessor to refuse this chapter, but it succeeded"
            ),
            Err(e) => format!("{e:#}"),
        }
    }
}

/// The text of the captions in `markdown`, tags removed, one line per `<div>`.
pub fn caption_text(markdown: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in markdown
        .lines()
        .filter(|l| l.trim_start().starts_with("<div") || l.trim() == "</div>")
        .collect::<Vec<_>>()
        .join("\n")
        .chars()
    {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .replace("&quot;", "\"")
}
