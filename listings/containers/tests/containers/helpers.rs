//! The harness: a container per test, or one container for the whole test
//! process. Both skip (outside CI) when no Docker engine is reachable.

use std::process::{ChildStdin, Command};

use containers::{LABEL, engine::docker_or_skip, postgres, reaper};
use sqlx::{Connection, PgConnection};
use testcontainers::ContainerAsync;
use testcontainers_modules::postgres::Postgres;
use tokio::sync::OnceCell;

// ANCHOR: per_test
/// A container of this test's own, or `None` (after one `skipped:` line) when
/// there is no Docker engine outside CI. Removed when the value is dropped:
/// at the end of the test, or while it unwinds from a panic.
pub async fn postgres_for_this_test() -> Option<postgres::RunningPostgres> {
    if !docker_or_skip().await {
        return None;
    }
    Some(postgres::start().await)
}
// ANCHOR_END: per_test

// ANCHOR: shared One container for the whole test process, kept in a static.
/// One container for every test in this process.
pub struct SharedPostgres {
    pub url: String,
    /// The container's id, for tests that check it is gone afterwards.
    pub id: String,
    /// Never dropped (it lives in a `static`), so `Drop` won't remove the
    /// container: the reaper does, when the process exits.
    _container: ContainerAsync<Postgres>,
    _reaper_pipe: ChildStdin,
}

static SHARED: OnceCell<SharedPostgres> = OnceCell::const_new();

/// The process's shared container, started by the first test that asks.
/// Tests that share a server must not share data: each makes its own
/// database on it (see `own_database`).
pub async fn shared_postgres() -> Option<&'static SharedPostgres> {
    if !docker_or_skip().await {
        return None;
    }
    let shared = SHARED
        .get_or_init(|| async {
            let started = postgres::start().await;
            let id = started.container.id().to_owned();
            let reaper_pipe = reaper::remove_on_exit(&id)
                .unwrap_or_else(|why| panic!("{why}"));
            SharedPostgres {
                url: started.url,
                id,
                _container: started.container,
                _reaper_pipe: reaper_pipe,
            }
        })
        .await;
    Some(shared)
}
// ANCHOR_END: shared

// ANCHOR: own_database
/// Creates a database named `name` on the server at `server_url` and returns
/// a connection to it. One database per test keeps tests on a shared server
/// from seeing each other's rows.
pub async fn own_database(server_url: &str, name: &str) -> PgConnection {
    let mut admin = PgConnection::connect(server_url)
        .await
        .expect("connect to the shared server");
    sqlx::query(&format!(r#"CREATE DATABASE "{name}""#))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|error| {
            panic!("could not create database {name}: {error}")
        });
    PgConnection::connect(&postgres::url_with_database(server_url, name))
        .await
        .expect("connect to the new database")
}
// ANCHOR_END: own_database

/// Ids of the containers, running or not, that carry our label with `value`
/// (a process id), as `docker ps -a` lists them.
pub fn containers_labelled(value: &str) -> Vec<String> {
    let out = Command::new("docker")
        .args([
            "ps",
            "-a",
            "-q",
            "--filter",
            &format!("label={LABEL}={value}"),
        ])
        .output()
        .expect("the docker CLI runs");
    assert!(
        out.status.success(),
        "docker ps failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The value after `key=` on the first line of `output` that has it.
pub fn field<'a>(output: &'a str, key: &str) -> Option<&'a str> {
    let start = output.find(&format!("{key}="))? + key.len() + 1;
    output[start..].split_whitespace().next()
}
