//! End-of-chapter exercises, one module each (named after its chapter,
//! a second one with a suffix). Each has a `starter`
//! (an ignored test that fails until the reader solves it) and a `solution`
//! (the same test, solved, run by `cargo test`), in files of their own so the
//! student bundle can leave the solutions out. `cargo xtask exercises`
//! proves that every starter fails and every solution passes.

mod doubles;
mod first_test;
mod flaky;
mod how_many;
mod introduction;
mod jobs;
mod jobs_back_off;
mod keeping_tests_apart;
mod keeping_tests_apart_two_apps;
mod pitfalls;
mod test_tools;
mod what_integration_tests_are;

// Not an exercise: what `cargo xtask warm-up` runs (see the file).
mod warm_up;
