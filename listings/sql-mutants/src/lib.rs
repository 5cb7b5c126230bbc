//! SQL mutation testing: does any test notice when a query is wrong?
//!
//! cargo-mutants changes Rust code; the SQL inside string literals is left
//! alone, and in a database app that SQL is where many guarantees live. This
//! crate does for SQL what cargo-mutants does for Rust, in four small steps:
//!
//! - [`find`]: every string literal in `src/` that starts like a statement
//!   (`SELECT`, `INSERT`, `UPDATE`, `DELETE`, `WITH`), found with syn.
//! - [`mutate`]: the mutants of one statement: a `WHERE` condition dropped,
//!   a comparison flipped, a locking, limiting, ordering or conflict clause
//!   removed, `RETURNING` columns swapped. Each is one edit of the file.
//! - [`run`]: applies a mutant in place, builds, runs the tests under a time
//!   limit, and puts the file back, whatever happens (a panic, Ctrl-C, and
//!   even `kill -9`, which the next run repairs).
//! - [`report`]: caught, missed, timeout or unviable, with `file:line`.

pub mod find;
pub mod mutate;
pub mod report;
pub mod run;
