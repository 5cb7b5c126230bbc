//! Keeping tests apart: every isolation strategy as a test, with its pitfalls
//! shown failing for real. `helpers` is the harness the modules share.

mod helpers;

mod database_per_test;
mod parallel_collisions;
mod sqlite_vs_postgres;
mod sqlx_test;
mod transaction_per_test;
mod truncate;
