//! Exercise for "Standing in for services you don't own": look at what the
//! stand-in received, not only at how often.

mod solution;
mod starter;
