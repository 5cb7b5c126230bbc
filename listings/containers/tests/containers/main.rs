//! Tests with PostgreSQL in a real container: one binary, one module per topic.
//! `helpers` is the harness every module shares.

mod helpers;

mod cache;
mod cleanup;
mod exercises;
mod no_docker;
mod per_test;
mod shared;
mod testdb_source;
