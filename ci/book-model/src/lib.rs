//! The book's sources as its tools read them, each format by one reader:
//! [`markdown`] for the chapters, [`includes`] for their `{{#include}}`
//! directives, [`markers`] for the marker comments (CONTRIBUTING.md) and
//! [`test_items`] for the functions, tests and documented items of a Rust
//! file.

pub mod includes;
pub mod markdown;
pub mod markers;
pub mod test_items;
