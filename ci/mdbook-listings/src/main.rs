//! `mdbook-listings`: run by mdBook as a preprocessor (see `book.toml`).
//!
//! - `mdbook-listings supports <renderer>`: exit status 0 if it supports it;
//! - `mdbook-listings`: reads `[context, book]` JSON on stdin, writes the book.

use std::{io, process::ExitCode};

use mdbook_listings::Listings;
use mdbook_preprocessor::Preprocessor;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [supports, renderer] = args.as_slice()
        && supports == "supports"
    {
        return match Listings.supports_renderer(renderer) {
            Ok(true) => ExitCode::SUCCESS,
            _ => ExitCode::FAILURE,
        };
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "mdbook-listings: {e:#}\n(fix the include or the listing it points to; see CONTRIBUTING.md, \"Listing captions\")"
            );
            ExitCode::FAILURE
        }
    }
}

fn run() -> mdbook_preprocessor::errors::Result<()> {
    let (ctx, book) = mdbook_preprocessor::parse_input(io::stdin())?;
    let book = Listings.run(&ctx, book)?;
    serde_json::to_writer(io::stdout(), &book)?;
    Ok(())
}
