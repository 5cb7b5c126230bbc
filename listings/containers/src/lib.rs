//! Real PostgreSQL in a container, started from a test with testcontainers.
//!
//! - [`engine`]: is a Docker engine reachable? If not: skip with one line
//!   outside CI, fail in CI. Never a silent pass.
//! - [`postgres`]: which image to run (from the environment, defaulting to the
//!   official `postgres` image), how to start it, and the URL to reach it.
//! - [`cache`]: a cache trait with a double in memory and Redis behind it.
//! - [`reaper`]: removes a container that `Drop` never reaches, because it
//!   lives in a `static`, when the test process exits.
//!
//! Every container gets the label [`LABEL`] with the test process's id as its
//! value, so `docker ps -a --filter label=book.containers` finds what a test
//! run left behind, and which process started it.

pub mod cache;
pub mod engine;
pub mod postgres;
pub mod reaper;

/// The label on every container this crate starts; its value is the id of
/// the process that started it.
pub const LABEL: &str = "book.containers";
