//! Schema changes, tested: `upgrade` (a migration meets the rows that were
//! there before it), `checked_queries` (queries the compiler checked, and
//! the committed metadata it checked them with).

use sqlx::migrate::Migrator;

mod checked_queries;
mod upgrade;

/// No migrations: every test here starts from an empty database, because
/// the versions of the schema, one after the other, are what it tests.
pub static EMPTY: Migrator = Migrator::DEFAULT;
