//! Shared parsing for the book checks lives in tests/book.
