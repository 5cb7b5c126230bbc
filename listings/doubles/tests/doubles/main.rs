//! Listings for "Standing in for services you don't own": one binary, one
//! module per idea. `helpers` is the harness they share.

mod helpers;

mod expectations;
mod failures;
mod guard;
mod matchers;
mod received;
