//! Exercise for "What integration tests are": a rule a unit test can state,
//! and the half of it only an integration test can check.

mod solution;
mod starter;
