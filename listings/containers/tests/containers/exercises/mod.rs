//! End-of-chapter exercise for "Real dependencies in containers": a `starter`
//! (ignored, fails until solved) and its `solution`. Without a Docker engine
//! the solution prints the harness's `skipped:` line and returns, and the
//! starter fails saying it needs one; `cargo xtask exercises` then reports
//! the starter as not run instead of proven.

mod same_engine;
