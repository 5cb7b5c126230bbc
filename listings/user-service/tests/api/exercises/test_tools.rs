//! Exercise for "Rust's test tools": a test that blocks its thread, and a
//! task it spawned that needs that thread to run.

mod solution;
mod starter;
