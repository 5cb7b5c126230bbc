//! End-of-chapter exercises, one module per chapter. Each has a `starter`
//! (an ignored test that fails until the reader solves it) and a `solution`
//! (the same test, solved, run by `cargo test`), in files of their own so the
//! student bundle can leave the solutions out. `cargo xtask exercises`
//! proves that every starter fails and every solution passes.

mod back_off;
mod doubles;
mod first_test;
mod flaky;
mod how_many;
mod introduction;
mod jobs;
mod keeping_tests_apart;
mod pitfalls;
mod test_tools;
mod two_apps;
mod what_integration_tests_are;

// Not an exercise: what `cargo xtask warm-up` runs (see the file).
mod warm_up;
