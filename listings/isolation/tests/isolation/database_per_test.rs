//! Strategy: a database per test, cloned from a migrated template.

use isolation::{
    strategies::{clone_template, create_and_migrate, drop_database},
    users::{count_users, create_user},
};
use sqlx::{Connection, PgConnection};

use crate::helpers;

// ANCHOR: by_hand
/// A clone of a migrated template has the whole schema and nobody's rows.
#[tokio::test]
async fn a_clone_of_a_migrated_template_has_the_schema_and_no_rows() {
    // Any database on the server will do to send `CREATE DATABASE` from;
    // the names below are unique because this one's name is.
    let here = helpers::fresh_database().await;
    let mut admin = helpers::connect(&here).await;
    let server = here.connect_options();
    // Not named `testdb_…`: those are the harness's, and it may drop them.
    let (template, clone) = (
        format!("by_hand_{}_template", here.name),
        format!("by_hand_{}_clone", here.name),
    );

    // Once per suite: create the template, migrate it, disconnect from it.
    create_and_migrate(&mut admin, &server, &template)
        .await
        .unwrap()
        .close()
        .await
        .unwrap();
    // Once per test: a copy, made by the server from the template's files.
    clone_template(&mut admin, &template, &clone)
        .await
        .expect("clone the template");

    let mut conn = PgConnection::connect_with(&server.clone().database(&clone))
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables \
         WHERE schemaname = 'public' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        tables,
        ["_sqlx_migrations", "email_outbox", "users"],
        "the clone should have the migrated schema"
    );
    assert_eq!(
        count_users(&mut conn).await.unwrap(),
        0,
        "a new clone has no users"
    );

    conn.close().await.unwrap();
    drop_database(&mut admin, &clone).await.unwrap();
    drop_database(&mut admin, &template).await.unwrap();
}
// ANCHOR_END: by_hand

// ANCHOR: testdb
/// testdb hands every test a clone of its own: what one writes, no other sees.
#[tokio::test]
async fn two_fresh_databases_share_nothing() {
    let first = helpers::fresh_database().await;
    let second = helpers::fresh_database().await;

    let mut conn = first.pool.acquire().await.unwrap();
    create_user(&mut conn, "Ada", "ada@example.com")
        .await
        .unwrap();

    assert_ne!(
        first.name, second.name,
        "each test gets a database of its own"
    );
    let seen = count_users(&mut second.pool.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        seen, 0,
        "expected the second database to be empty, but it has {seen} users"
    );
}
// ANCHOR_END: testdb
