//! Listings for two chapters of the book, all of them tests: see
//! `tests/test_data/main.rs` for the map.
