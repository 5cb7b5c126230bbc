//! Listings for "Standing in for services you don't own" and "When the
//! service misbehaves" (and `boundary`, the first wiremock test, shown in
//! "What integration tests are"): one binary, one module per idea.
//! `helpers` is the harness they share.

mod deadline;
mod helpers;

mod boundary;
mod custom_match;
mod exercises;
mod expectations;
mod failures;
mod fake;
mod guard;
mod matchers;
mod on_failure;
mod received;
