//! Listings for "Standing in for services you don't own" and "When the
//! service misbehaves": one binary, one module per idea. `helpers` is the
//! harness they share.

mod deadline;
mod helpers;

mod custom_match;
mod exercises;
mod expectations;
mod failures;
mod fake;
mod guard;
mod matchers;
mod on_failure;
mod received;
