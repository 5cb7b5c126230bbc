//! Exercise for "Keeping tests apart": seed data the app can see, without
//! giving up isolation.

mod solution;
mod starter;
