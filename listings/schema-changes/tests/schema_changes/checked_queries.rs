//! Queries checked at compile time, and the metadata that lets a build
//! without a database check them.

use std::path::Path;

use schema_changes::{MIGRATOR, User, find_by_email, sign_up};
use serde_json::Value;
use sqlx::{Column, Executor, TypeInfo};
use testdb::TestDatabase;

use crate::EMPTY;

/// An empty database brought to the latest version.
async fn migrated() -> TestDatabase {
    let db = testdb::fresh_database(&EMPTY).await;
    MIGRATOR.run(&db.pool).await.expect("the migrations apply");
    db
}

// ANCHOR: queries
/// A user who signed up as `Ada@Example.test` is found by any spelling.
#[tokio::test]
async fn a_user_is_found_by_email_whatever_its_case() {
    let db = migrated().await;
    let id = sign_up(&db.pool, "Ada", "Ada@Example.test").await.unwrap();

    let found = find_by_email(&db.pool, "ADA@example.TEST").await.unwrap();

    let ada = User {
        id,
        name: "Ada".into(),
        email: "ada@example.test".into(),
    };
    assert_eq!(found, Some(ada), "expected to find Ada by another case");
}
// ANCHOR_END: queries

// ANCHOR: offline -- the committed metadata still describes the schema
/// The metadata in `.sqlx/` is what the compiler checked the queries
/// against. Each file still describes what the migrated schema answers, so
/// a migration that changed a queried column fails here, not in production.
#[tokio::test]
async fn the_committed_query_metadata_matches_the_migrated_schema() {
    let db = migrated().await;
    let source = include_str!("../../src/lib.rs");
    let queries_in_source = source.matches("sqlx::query").count();
    let committed = committed_query_metadata();

    assert_eq!(
        committed.len(),
        queries_in_source,
        "expected one .sqlx/ file per query in src/lib.rs; regenerate them \
         (src/appendix-how-built.md, \"Query metadata for sqlx::query!\")"
    );
    for data in committed {
        let sql = data["query"].as_str().unwrap();
        let live = db.pool.describe(sql).await.unwrap_or_else(|error| {
            panic!("the schema no longer takes {sql:?}: {error}")
        });
        let live: Vec<String> = live
            .columns()
            .iter()
            .map(|c| format!("{} {}", c.name(), c.type_info().name()))
            .collect();
        let stored: Vec<String> = data["describe"]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let name = c["name"].as_str().unwrap_or("?");
                let type_name = c["type_info"].as_str().unwrap_or("?");
                format!("{name} {}", type_name.to_uppercase())
            })
            .collect();
        assert_eq!(
            stored, live,
            "expected .sqlx/ to describe {sql:?} as the schema does"
        );
    }
}

/// Every `.sqlx/query-*.json` file, parsed.
fn committed_query_metadata() -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".sqlx");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} can't be read: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            serde_json::from_str(&text).unwrap()
        })
        .collect()
}
// ANCHOR_END: offline
