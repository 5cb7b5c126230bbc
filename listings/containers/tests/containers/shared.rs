//! One container for the whole test process: started once, shared by every
//! test in it, so each test must keep to a database of its own.

use crate::helpers::{own_database, shared_postgres};

// ANCHOR: shared_tests
/// Two tests on one shared server each write to their own database.
#[tokio::test]
async fn tests_on_a_shared_server_write_to_their_own_database() {
    let Some(server) = shared_postgres().await else {
        return;
    };
    let mut conn = own_database(&server.url, "shared_first").await;

    sqlx::query("CREATE TABLE notes (body TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("INSERT INTO notes VALUES ('first')")
        .execute(&mut conn)
        .await
        .unwrap();

    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM notes")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        rows, 1,
        "expected only this test's row in its own database, found {rows}"
    );
}

/// The second test uses the same server and table name, and sees none of
/// the first test's rows.
#[tokio::test]
async fn a_second_test_on_the_shared_server_sees_none_of_the_first_tests_rows()
{
    let Some(server) = shared_postgres().await else {
        return;
    };
    let mut conn = own_database(&server.url, "shared_second").await;

    sqlx::query("CREATE TABLE notes (body TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();

    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM notes")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        rows, 0,
        "expected an empty table in this test's own database, found {rows} rows"
    );
}
// ANCHOR_END: shared_tests
