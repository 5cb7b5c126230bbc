//! Exercise for the introduction: read the running example's failure policy
//! and make a test say what the service really does when email is down.

mod solution;
mod starter;
