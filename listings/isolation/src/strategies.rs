//! The SQL behind each isolation strategy, shared by the chapter's tests and
//! by the benchmark, so the code that is timed is the code that is shown.
//!
//! Names are interpolated into SQL because `CREATE DATABASE` takes no bind
//! parameters; every name here is made by the caller from a process id and a
//! counter, never from input.

use sqlx::{Connection, Executor, PgConnection, postgres::PgConnectOptions};

use crate::MIGRATOR;

// ANCHOR: create_and_migrate
/// An empty database with every migration replayed into it: what a
/// hand-written harness usually does for each test.
pub async fn create_and_migrate(
    admin: &mut PgConnection,
    server: &PgConnectOptions,
    name: &str,
) -> Result<PgConnection, sqlx::Error> {
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let mut conn =
        PgConnection::connect_with(&server.clone().database(name)).await?;
    MIGRATOR.run(&mut conn).await?;
    Ok(conn)
}
// ANCHOR_END: create_and_migrate

// ANCHOR: clone_template
/// A copy of `template`, schema and rows, made by the server from the
/// template's files: no SQL is replayed, however many migrations there are.
///
/// PostgreSQL refuses while anyone is connected to the template ("source
/// database is being accessed by other users"), so migrate it once, close
/// that connection, and only then clone.
pub async fn clone_template(
    admin: &mut PgConnection,
    template: &str,
    name: &str,
) -> Result<(), sqlx::Error> {
    admin
        .execute(format!("CREATE DATABASE {name} TEMPLATE {template}").as_str())
        .await?;
    Ok(())
}
// ANCHOR_END: clone_template

/// Drops a database even if a forgotten connection is still open on it.
pub async fn drop_database(
    admin: &mut PgConnection,
    name: &str,
) -> Result<(), sqlx::Error> {
    admin
        .execute(
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
        )
        .await?;
    Ok(())
}

// ANCHOR: truncate_all
/// Empties every table of the schema, to be run before each test.
///
/// One statement for all tables, because a foreign key (`email_outbox` →
/// `users`) forbids truncating `users` alone. `RESTART IDENTITY` resets the
/// id sequences too, so ids don't depend on which tests ran before.
/// The list must grow with the schema: a table someone forgets here keeps
/// the previous test's rows.
pub async fn truncate_all(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    conn.execute("TRUNCATE users, email_outbox RESTART IDENTITY")
        .await?;
    Ok(())
}
// ANCHOR_END: truncate_all
