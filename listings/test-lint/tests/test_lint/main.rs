//! The checker's own tests: each rule flags its broken fixture and passes its
//! clean one, the marker allows exactly the item it precedes, and the whole
//! workspace has no finding a marker doesn't explain.

mod cli;
mod exercises;
mod rules;
mod workspace;
