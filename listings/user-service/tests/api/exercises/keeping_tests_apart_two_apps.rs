//! Second exercise for "Keeping tests apart": two apps, as two tests would
//! run them, each on a database of its own.

mod solution;
mod starter;
