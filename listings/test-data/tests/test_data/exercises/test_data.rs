//! Exercise for "Test data you can trust": two users in one test, unique by
//! construction.

mod solution;
mod starter;
