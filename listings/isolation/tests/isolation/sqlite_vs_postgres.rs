//! Pitfall: a fast stand-in engine is not the engine you ship on.
//!
//! The same SQL text, run on in-memory SQLite and on PostgreSQL. SQLite
//! treats a column's declared type as a preference: it keeps a name longer
//! than `VARCHAR(5)` and the text `'forty'` in an `INTEGER` column.
//! PostgreSQL refuses both. A suite that runs on SQLite stays green over code
//! that fails in production on the first long name.

use sqlx::{Error, raw_sql};
use sqlx_sqlite::SqlitePool;

use crate::helpers;

// ANCHOR: same_sql -- the same SQL text, run on both engines
const CREATE_PEOPLE: &str =
    "CREATE TABLE people (name VARCHAR(5) NOT NULL, age INTEGER NOT NULL)";
const NAME_TOO_LONG: &str =
    "INSERT INTO people (name, age) VALUES ('Bartholomew', 40)";
const AGE_NOT_A_NUMBER: &str =
    "INSERT INTO people (name, age) VALUES ('Ada', 'forty')";
// ANCHOR_END: same_sql

// ANCHOR: sqlite
/// In-memory SQLite stores rows its declared column types forbid.
#[tokio::test]
async fn in_memory_sqlite_stores_rows_its_column_types_forbid() {
    let sqlite = SqlitePool::connect("sqlite::memory:")
        .await
        .expect("an in-memory SQLite database");
    raw_sql(CREATE_PEOPLE).execute(&sqlite).await.unwrap();

    raw_sql(NAME_TOO_LONG)
        .execute(&sqlite)
        .await
        .expect("SQLite accepts an 11-character VARCHAR(5)");
    raw_sql(AGE_NOT_A_NUMBER)
        .execute(&sqlite)
        .await
        .expect("SQLite accepts text in an INTEGER column");

    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT name, typeof(age) FROM people ORDER BY rowid")
            .fetch_all(&sqlite)
            .await
            .unwrap();
    let expected = [
        ("Bartholomew".to_string(), "integer".to_string()),
        ("Ada".into(), "text".into()),
    ];
    assert_eq!(stored, expected, "SQLite kept both rows as written");
}
// ANCHOR_END: sqlite

// ANCHOR: postgres
/// PostgreSQL refuses the same two rows, each with its own error code.
#[tokio::test]
async fn postgres_refuses_the_same_rows() {
    let db = helpers::fresh_database().await;
    raw_sql(CREATE_PEOPLE).execute(&db.pool).await.unwrap();

    let too_long = raw_sql(NAME_TOO_LONG)
        .execute(&db.pool)
        .await
        .expect_err("PostgreSQL refuses the long name");
    let not_a_number = raw_sql(AGE_NOT_A_NUMBER)
        .execute(&db.pool)
        .await
        .expect_err("PostgreSQL refuses 'forty'");

    // SQLSTATE 22001: string_data_right_truncation;
    //          22P02: invalid_text_representation.
    assert_eq!(
        sqlstate(&too_long),
        "22001",
        "expected a too-long-string error, got: {too_long}"
    );
    assert_eq!(
        sqlstate(&not_a_number),
        "22P02",
        "expected an invalid-integer error, got: {not_a_number}"
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM people")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0, "no row may have been stored, found {rows}");
}

fn sqlstate(error: &Error) -> String {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|code| code.into_owned())
        .unwrap_or_default()
}
// ANCHOR_END: postgres
