//! The book's sources as its tools read them, each format by one reader:
//! [`markers`] for the marker comments (CONTRIBUTING.md) and [`test_items`]
//! for the functions, tests and documented items of a Rust file.

pub mod markers;
pub mod test_items;
