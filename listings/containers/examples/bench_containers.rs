//! What sharing a container saves: the same small suite run both ways.
//!
//!     cargo run -p containers --example bench_containers
//!
//! (with `POSTGRES_IMAGE`/`POSTGRES_TAG` naming the image, as for the tests).
//! A "test" here is what the tests in `tests/containers/` do before their
//! first assertion: get a server (or a database on a shared one), connect,
//! run one query. Tests run one after another, so that containers, not
//! CPUs, are what is measured.

// OUTPUT(measured): output/bench-containers.txt $ POSTGRES_IMAGE=local/postgres \
//   POSTGRES_TAG=15 cargo run -q -p containers --example bench_containers

use std::time::{Duration, Instant};

use containers::{engine::docker_or_skip, postgres};
use sqlx::{Connection, PgConnection};

const TESTS: usize = 5;

#[tokio::main]
async fn main() {
    if !docker_or_skip().await {
        std::process::exit(1);
    }

    // One container per test: start, connect, query, remove.
    let mut per_test = Vec::new();
    let mut removals = Vec::new();
    for _ in 0..TESTS {
        let started = Instant::now();
        let pg = postgres::start().await;
        first_query(&pg.url).await;
        per_test.push(started.elapsed());
        let removing = Instant::now();
        drop(pg);
        removals.push(removing.elapsed());
    }

    // One shared container: started once; each test makes its own database.
    let suite = Instant::now();
    let pg = postgres::start().await;
    let shared_start = suite.elapsed();
    let mut admin = PgConnection::connect(&pg.url)
        .await
        .expect("connect to the shared container");
    let mut own_db = Vec::new();
    for n in 0..TESTS {
        let started = Instant::now();
        sqlx::query(&format!("CREATE DATABASE bench_{n}"))
            .execute(&mut admin)
            .await
            .expect("create a database");
        first_query(&postgres::url_with_database(
            &pg.url,
            &format!("bench_{n}"),
        ))
        .await;
        own_db.push(started.elapsed());
    }
    drop(admin);
    let removing = Instant::now();
    drop(pg);
    let shared_removal = removing.elapsed();
    let shared_total = suite.elapsed();

    let per_test_total: Duration = per_test.iter().chain(&removals).sum();
    println!(
        "{TESTS} tests, one after another, image {}",
        postgres::image().descriptor()
    );
    println!();
    println!("| step | median | {TESTS} tests in all |");
    println!("|---|---|---|");
    println!(
        "| one container per test: start → first query | {} | |",
        secs(median(&per_test))
    );
    println!(
        "| one container per test: remove it | {} | |",
        secs(median(&removals))
    );
    println!(
        "| **one container per test, suite** | | **{}** |",
        secs(per_test_total)
    );
    println!(
        "| shared container: start → ready (once) | {} | |",
        secs(shared_start)
    );
    println!(
        "| shared container: own database → first query | {} | |",
        secs(median(&own_db))
    );
    println!(
        "| shared container: remove it (once) | {} | |",
        secs(shared_removal)
    );
    println!(
        "| **one shared container, suite** | | **{}** |",
        secs(shared_total)
    );
}

async fn first_query(url: &str) {
    let mut conn = PgConnection::connect(url).await.expect("connect");
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&mut conn)
        .await
        .expect("SELECT 1");
    assert_eq!(one, 1, "SELECT 1 returned {one}");
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}
