//! Code under test for the chapter "Keeping tests apart".
//!
//! The schema is the running example's (`users`, `email_outbox`), applied by
//! [`MIGRATOR`]. The functions here are written the way the
//! transaction-per-test strategy needs: they take a connection, never a pool,
//! so a test can hand them its own transaction.
//!
//! - [`users`]: queries over `users`; most take `&mut PgConnection`.
//! - [`handmade`]: a database per test, the whole harness written by hand.
//! - [`strategies`]: each way of getting a clean database for a test, as a
//!   function the tests show and the benchmark (`bench-isolation`) times.

pub mod handmade;
pub mod strategies;
pub mod users;

/// The running example's migrations, read from its folder at compile time:
/// every strategy here starts from the same schema as the rest of the book.
pub static MIGRATOR: sqlx::migrate::Migrator =
    sqlx::migrate!("../user-service/migrations");
