//! Every error a reader can hit is one line: what is wrong, and the fix.

use std::process::Command;

use sqlx::{Connection, Executor, PgConnection};

use crate::helpers::{
    Holder, PrivateServer, child, harness_error, private_base, socket_dir,
};

/// Runs `child_asks_for_a_database` with `DATABASE_URL` and returns the
/// harness's error line (the child must fail).
fn error_with(test: &str, database_url: &str) -> String {
    let output =
        child(test).env("DATABASE_URL", database_url).output().unwrap();
    assert!(!output.status.success(), "the child should have failed");
    harness_error(&output)
}

/// A `DATABASE_URL` that is not a URL: names the variable, the expected
/// form, and the alternative.
#[test]
fn a_malformed_database_url_is_one_line_that_says_what_and_how_to_fix_it() {
    let error =
        error_with("children::child_asks_for_a_database", "localhost:5432");

    assert!(
        error.contains("DATABASE_URL is not a valid PostgreSQL URL"),
        "says what is wrong: {error}"
    );
    assert!(
        error.contains("postgres://user:password@host:port/database")
            && error.contains("unset it"),
        "says how to fix it: {error}"
    );
}

/// A `DATABASE_URL` nobody answers at: names the server, never its password.
#[test]
fn an_unreachable_database_url_is_one_line_that_names_the_server() {
    // Port 1 on loopback: nothing listens there, so the refusal is immediate.
    let error = error_with(
        "children::child_asks_for_a_database",
        "postgres://tester:secret@127.0.0.1:1/postgres",
    );

    assert!(
        error.contains("could not connect to DATABASE_URL")
            && error.contains("127.0.0.1:1"),
        "names the server: {error}"
    );
    assert!(!error.contains("secret"), "never prints the password: {error}");
}

/// A server of the test's own, and a superuser connection to it to set up
/// a fault.
async fn superuser_on_a_server_of_its_own() -> (PrivateServer, PgConnection) {
    let server = PrivateServer::start();
    let admin = PgConnection::connect(&server.url).await.unwrap();
    (server, admin)
}

/// A `DATABASE_URL` user without `CREATEDB`: says so, and how to grant it.
#[tokio::test]
async fn a_user_without_createdb_is_told_to_grant_it() {
    let (server, mut admin) = superuser_on_a_server_of_its_own().await;
    admin.execute("CREATE ROLE no_createdb LOGIN").await.unwrap();
    let url = server.url.replace("postgres@", "no_createdb@");

    let error = error_with("children::child_asks_for_a_database", &url);

    assert!(
        error.contains("may not create databases")
            && error.contains("ALTER ROLE <that user> CREATEDB"),
        "names the missing right and the fix: {error}"
    );
}

/// A server with no connection to spare: says so, and the three fixes.
/// (A role's `CONNECTION LIMIT` stands in for `max_connections`: the server
/// refuses both with the same error, 53300.)
#[tokio::test]
async fn a_full_server_is_one_line_that_names_the_limit() {
    let (server, mut admin) = superuser_on_a_server_of_its_own().await;
    admin
        .execute("CREATE ROLE crowded LOGIN CREATEDB CONNECTION LIMIT 0")
        .await
        .unwrap();
    let url = server.url.replace("postgres@", "crowded@");

    let error = error_with("children::child_asks_for_a_database", &url);

    assert!(
        error.contains("max_connections reached")
            && error.contains("--test-threads"),
        "names the limit and the fix: {error}"
    );
}

/// A migration that fails while the template is built: the error names it.
#[tokio::test]
async fn a_failing_migration_is_named_in_the_error() {
    let (server, _admin) = superuser_on_a_server_of_its_own().await;

    let error =
        error_with("children::child_with_a_broken_migration", &server.url);

    assert!(
        error.contains("migration 2 (a typo) failed"),
        "names the migration: {error}"
    );
    assert!(error.contains("nowww"), "gives the server's reason: {error}");
}

/// The cluster deleted while a test process uses it: the next test says
/// what happened instead of failing on a missing socket.
#[test]
fn a_cluster_deleted_under_a_running_process_is_explained() {
    let base = private_base();
    let mut command = child("children::child_asks_again_after_a_pause");
    command
        .env("TESTDB_RUNTIME_DIR", base.path())
        .stderr(std::process::Stdio::piped());
    let mut holder = Holder::start(command, 1);
    let dir = socket_dir(&holder.databases[0].1);
    let pid = std::fs::read_to_string(dir.join("data/postmaster.pid")).unwrap();
    let pid = pid.lines().next().unwrap().to_string();

    // The server's shared memory segments are files inside the cluster's
    // directory, so deleting it can't leave any behind in /dev/shm.
    let segments = std::fs::read_dir(dir.join("data/pg_dynshmem"))
        .map_or(0, |entries| entries.count());
    assert!(
        segments > 0,
        "expected the server's shared memory in data/pg_dynshmem, found none"
    );

    // What a careless `rm -rf /dev/shm/testdb-*` does mid-run.
    let gone = dir.with_extension("gone");
    std::fs::rename(&dir, &gone).unwrap();
    Command::new("kill").args(["-9", &pid]).status().unwrap();
    remove_while_backends_exit(&gone);
    drop(holder.child.stdin.take());
    let output = holder.child.wait_with_output().unwrap();

    assert!(!output.status.success(), "the child should have failed");
    let error = harness_error(&output);
    assert!(
        error
            .contains("was deleted or stopped while this test process used it")
            && error.contains("run the tests again"),
        "says what happened and what to do: {error}"
    );
}

/// Deletes `dir`. The server's backends notice their postmaster's death and
/// exit within moments, but one may still write a file meanwhile, which
/// makes a deletion fail with "directory not empty": try again until they
/// are gone, for at most five seconds.
fn remove_while_backends_exit(dir: &std::path::Path) {
    let deadline =
        std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => return,
            // Not a sleep: the next try is the check.
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::yield_now();
            }
            Err(error) => panic!(
                "could not delete {} within 5 s of stopping its server: \
                 {error}",
                dir.display()
            ),
        }
    }
}
