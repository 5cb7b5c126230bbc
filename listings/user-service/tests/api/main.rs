//! The user service's integration tests: one binary, one module per topic.
//! `helpers` is the harness every module shares.

mod helpers;

mod email_failures;
mod exercises;
mod first_test;
mod in_process;
mod limits;
mod responses;
mod validation;

// Jobs, workers, and waiting for them (chapters "Jobs, queues and workers"
// and "Flaky tests and how to kill them").
mod claims;
mod deadline;
mod email_stub;
mod flaky;
mod jobs;
mod log_lines;
mod manual_clock;
mod nothing_lost;
mod one_transaction;
mod own_database;
mod request_ids;
mod worker_lifecycle;
mod worker_process;
