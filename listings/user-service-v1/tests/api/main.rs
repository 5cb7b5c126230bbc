//! The first version's integration tests. One binary: every file in this
//! folder is a module of it, so the app and its dependencies link once.

// ANCHOR: modules -- main.rs only declares modules: one binary, one link
mod helpers;

mod first_test;
// ANCHOR_END: modules
