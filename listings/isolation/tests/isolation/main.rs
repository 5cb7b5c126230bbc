//! Keeping tests apart: every isolation strategy as a test, with its pitfalls.
//! `helpers` is the harness the modules share.

mod helpers;
