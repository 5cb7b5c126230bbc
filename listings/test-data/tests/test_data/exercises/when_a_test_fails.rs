//! Exercise for "When a test fails": follow a request id from the response
//! into the app's own log lines.

mod solution;
mod starter;
