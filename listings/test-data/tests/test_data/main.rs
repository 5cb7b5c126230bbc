//! Tests for two chapters, in one binary.
//!
//! "Test data you can trust": `seed` (one seed per run: `TEST_SEED`, pinned
//! in CI, fresh on a developer's machine), `builders` (`TestData`,
//! `UserBuilder`), `fixtures`, `clock` (a clock the test moves); tests in
//! `sign_up`, `seeded`, `unique`, `time`, `properties`.
//!
//! "When a test fails": `logs` (each app's logs in the test's own buffer),
//! `report` (the failure report), `helpers` (`spawn_reporting_app`, whose
//! `ReportingApp` prints the report when its test fails); tests in
//! `request_ids`, `failure_report`, `snapshots`.

mod builders;
mod clock;
mod fixtures;
mod helpers;
mod logs;
mod report;
mod seed;

mod exercises;
mod failure_report;
mod properties;
mod request_ids;
mod seeded;
mod sign_up;
mod snapshots;
mod time;
mod unique;
