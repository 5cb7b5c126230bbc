//! A migration tested against rows that already exist. A test suite that
//! starts every test from a freshly migrated, empty database never sees
//! what a migration does to the rows production already holds.

use std::borrow::Cow;

use schema_changes::MIGRATOR;
use sqlx::{
    PgPool,
    migrate::{Migration, MigrationType, Migrator},
};

use crate::EMPTY;

// ANCHOR: versions -- the schema at version 1, and version 2 as first written
/// Version 1 alone: the schema as it was before the change.
fn version_1() -> Migrator {
    Migrator {
        migrations: Cow::Owned(MIGRATOR.migrations[..1].to_vec()),
        ..Migrator::DEFAULT
    }
}

/// Version 1, then version 2 as it was first written (`broken/`).
fn with_version_2_as_first_written() -> Migrator {
    let first_draft = Migration::new(
        2,
        "lower case emails".into(),
        MigrationType::Simple,
        include_str!("../../broken/0002_lower_case_emails.sql").into(),
        false,
    );
    let mut migrations = MIGRATOR.migrations[..1].to_vec();
    migrations.push(first_draft);
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}
// ANCHOR_END: versions

// ANCHOR: upgrade -- apply version 1, write rows, upgrade, look at the rows
/// Applies version 1, stores two users the way version 1 did (one email
/// with capitals), upgrades with `upgrade`, and checks both users are still
/// there, same ids and names, emails lower-cased.
async fn assert_upgrade_keeps_version_1_users(upgrade: &Migrator) {
    let db = testdb::fresh_database(&EMPTY).await;
    version_1().run(&db.pool).await.expect("version 1 applies");
    let ada = insert_as_version_1(&db.pool, "Ada", "Ada@Example.test").await;
    let bob = insert_as_version_1(&db.pool, "Bob", "bob@example.test").await;

    if let Err(error) = upgrade.run(&db.pool).await {
        panic!("expected version 2 to apply over version 1's rows: {error}");
    }

    let users: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, email FROM users ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let expected = vec![
        (ada, "Ada".to_owned(), "ada@example.test".to_owned()),
        (bob, "Bob".to_owned(), "bob@example.test".to_owned()),
    ];
    assert_eq!(
        users, expected,
        "expected both version-1 users kept, emails lower-cased"
    );
}

/// A row written with version 1's rules: the email exactly as typed.
async fn insert_as_version_1(pool: &PgPool, name: &str, email: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id",
    )
    .bind(name)
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}
// ANCHOR_END: upgrade

// ANCHOR: broken
/// The first draft of version 2 upgrades a database with version-1 users
/// in it (it doesn't: it forgot them).
// OUTPUT: output/first-draft-migration.txt | grep -A1 'panicked at'
// BROKEN ON PURPOSE: the migration adds its rule and forgets the rows
// already there
#[ignore = "broken on purpose: the migration forgets the rows already there"]
#[tokio::test]
async fn broken_version_2_as_first_written_meets_version_1_users() {
    assert_upgrade_keeps_version_1_users(&with_version_2_as_first_written())
        .await;
}

/// The first draft fails on existing rows, with PostgreSQL's reason.
#[test]
fn the_first_draft_fails_on_the_rows_version_1_wrote() {
    expect_failure::assert_fails_because(
        "upgrade::broken_version_2_as_first_written_meets_version_1_users",
        &[
            "expected version 2 to apply over version 1's rows",
            r#"check constraint "users_email_is_lower_case""#,
            "is violated by some row",
        ],
    );
}

/// On an empty database both drafts apply: a suite whose databases start
/// empty can't tell the broken one from the fixed one.
#[tokio::test]
async fn on_an_empty_database_both_drafts_of_version_2_apply() {
    for (draft, migrator) in [
        ("first draft", with_version_2_as_first_written()),
        ("final", version_1_and_2()),
    ] {
        let db = testdb::fresh_database(&EMPTY).await;
        let applied = migrator.run(&db.pool).await;
        assert!(
            applied.is_ok(),
            "expected the {draft} version 2 to apply to an empty database, \
             got {applied:?}"
        );
    }
}
// ANCHOR_END: broken

// ANCHOR: fixed
// FIXES: upgrade::broken_version_2_as_first_written_meets_version_1_users
/// The final version 2 upgrades a database with version-1 users in it:
/// both are kept, their emails lower-cased.
#[tokio::test]
async fn version_2_keeps_the_users_version_1_stored() {
    assert_upgrade_keeps_version_1_users(&version_1_and_2()).await;
}
// ANCHOR_END: fixed

/// Both versions as committed in `migrations/`.
fn version_1_and_2() -> Migrator {
    Migrator {
        migrations: MIGRATOR.migrations.clone(),
        ..Migrator::DEFAULT
    }
}
