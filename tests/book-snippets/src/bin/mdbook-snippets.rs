//! mdBook preprocessor: prepares `rust,deps` blocks for the `test` renderer
//! (see the crate docs). Other renderers are left alone.
//!
//! Protocol: `mdbook-snippets supports <renderer>` answers by exit code;
//! otherwise the book arrives as JSON on stdin and leaves on stdout.

use std::io;

use book_snippets::prepare_for_test;
use mdbook_preprocessor::{
    Preprocessor, PreprocessorContext, book::Book, errors::Result,
};

struct Snippets;

impl Preprocessor for Snippets {
    fn name(&self) -> &str {
        "snippets"
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        book.for_each_chapter_mut(|chapter| {
            chapter.content = prepare_for_test(&chapter.content)
        });
        Ok(book)
    }

    fn supports_renderer(&self, renderer: &str) -> Result<bool> {
        Ok(renderer == "test")
    }
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("supports") {
        let renderer = args.next().unwrap_or_default();
        std::process::exit(if Snippets.supports_renderer(&renderer)? {
            0
        } else {
            1
        });
    }
    let (ctx, book) = mdbook_preprocessor::parse_input(io::stdin())?;
    let book = Snippets.run(&ctx, book)?;
    serde_json::to_writer(io::stdout(), &book)?;
    Ok(())
}
