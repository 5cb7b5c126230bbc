//! End-of-chapter exercise for "Real dependencies in containers": a `starter`
//! (ignored, fails until solved) and its `solution`. Without a Docker engine
//! both print the harness's `skipped:` line and return; `cargo xtask exercises`
//! then reports the starter as skipped instead of proven.

mod same_engine;
