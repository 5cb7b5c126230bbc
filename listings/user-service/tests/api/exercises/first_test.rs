//! Exercise for "Your first integration test": assert on what was stored,
//! through SQL, not through the app.

mod solution;
mod starter;
