//! Exercise for "How many integration tests, and where": a rule with many
//! cases and no I/O belongs in a table of unit cases, not in slow tests.

mod solution;
mod starter;
