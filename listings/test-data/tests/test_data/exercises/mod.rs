//! End-of-chapter exercises for "Test data you can trust" and "When a test
//! fails": a `starter` (ignored, fails until solved) and a `solution` each.
//! `cargo xtask exercises` proves every starter fails and every solution
//! passes.

mod test_data;
mod when_a_test_fails;
