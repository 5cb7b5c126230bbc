//! Exercise for "Pitfalls and their fixes": the database's own rules are part
//! of the behaviour, and only the real engine enforces them.

mod solution;
mod starter;
