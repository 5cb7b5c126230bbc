//! The user service's integration tests: one binary, one module per topic.
//! `helpers` is the harness every module shares.

mod helpers;

mod email_failures;
mod first_test;
mod in_process;
mod validation;
