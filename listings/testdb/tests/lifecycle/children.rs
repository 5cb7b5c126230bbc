//! The child tests: run only by the tests of this binary, each in a process
//! of its own.

use crate::helpers::MIGRATOR;

/// Another team's migrations: another hash, another template.
static OTHER: sqlx::migrate::Migrator =
    sqlx::migrate!("tests/lifecycle/other_migrations");

/// Joins (or starts) the throwaway cluster, prints its URL as a holder
/// prints a database, and keeps it up until stdin closes.
#[test]
#[ignore = "run only as a child process by the tests of this binary"]
fn child_serves_the_cluster() {
    let url = testdb::server_url().expect("a throwaway cluster");
    println!("database postgres {url}");
    println!("holding");
    std::io::stdin().read_line(&mut String::new()).unwrap();
}

/// Takes `CHILD_DATABASES` databases, writes its own name into each, prints
/// them, and holds them until stdin closes; then checks that each still
/// holds exactly its own note.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "run only as a child process by the tests of this binary"]
async fn child_holds_databases() {
    let wanted: usize =
        std::env::var("CHILD_DATABASES").map_or(1, |n| n.parse().unwrap());
    let migrator = match std::env::var("CHILD_MIGRATIONS").as_deref() {
        Ok("other") => &OTHER,
        _ => &MIGRATOR,
    };
    let mut held = Vec::new();
    for _ in 0..wanted {
        let db = testdb::fresh_database(migrator).await;
        sqlx::query("INSERT INTO notes (owner) VALUES ($1)")
            .bind(&db.name)
            .execute(&db.pool)
            .await
            .unwrap();
        println!("database {} {}", db.name, db.url());
        // No session left on it while it waits: only its owner's lock
        // says it is in use.
        db.pool.close().await;
        held.push(db);
    }
    println!("holding");
    let _ = tokio::task::spawn_blocking(|| {
        std::io::stdin().read_line(&mut String::new())
    })
    .await;
    for db in &held {
        let notes: Vec<String> = async {
            let pool = sqlx::PgPool::connect_with(db.connect_options()).await?;
            sqlx::query_scalar("SELECT owner FROM notes").fetch_all(&pool).await
        }
        .await
        .unwrap_or_else(|e| panic!("{} was taken away: {e}", db.name));
        assert_eq!(
            notes,
            std::slice::from_ref(&db.name),
            "only our own note in {}",
            db.name
        );
    }
}

#[tokio::test]
#[ignore = "run only as a child process by the tests of this binary"]
async fn child_asks_for_a_database() {
    testdb::fresh_database(&MIGRATOR).await;
}

/// Fails while it holds a database: testdb must keep it.
#[tokio::test]
#[ignore = "run only as a child process by the tests of this binary"]
async fn child_fails_holding_a_database() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    sqlx::query("INSERT INTO notes (owner) VALUES ('evidence')")
        .execute(&db.pool)
        .await
        .unwrap();
    panic!("failing on purpose, holding {}", db.name);
}

static BROKEN: sqlx::migrate::Migrator =
    sqlx::migrate!("tests/lifecycle/broken_migrations");

#[tokio::test]
#[ignore = "run only as a child process by the tests of this binary"]
async fn child_with_a_broken_migration() {
    testdb::fresh_database(&BROKEN).await;
}

/// Takes a database, waits for a line on stdin, then asks for another.
#[tokio::test]
#[ignore = "run only as a child process by the tests of this binary"]
async fn child_asks_again_after_a_pause() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    println!("database {} {}", db.name, db.url());
    println!("holding");
    let _ = tokio::task::spawn_blocking(|| {
        std::io::stdin().read_line(&mut String::new())
    })
    .await;
    std::mem::forget(db); // its cluster is gone: nothing to drop
    for _ in 0..8 {
        // Past the ready clones, to the cluster itself.
        std::mem::forget(testdb::fresh_database(&MIGRATOR).await);
    }
}
