//! Prints the median cost of the three things every test in this book pays
//! for, as a Markdown table:
//!
//! 1. starting a throwaway cluster (`initdb` + `pg_ctl start`), once per
//!    test process;
//! 2. handing a test its own migrated database (`testdb::fresh_database`);
//! 3. the first chapter's test, run as its own test process against an
//!    already running server (so 1 is not counted twice).
//!
//! Run it with `cargo xtask bench-spine` (which finds the test binary for
//! step 3).
//! A benchmark is a program that prints numbers, never a test that can fail
//! because the machine was busy.

use std::{
    process::Command,
    time::{Duration, Instant},
};

use testdb::cluster::Cluster;

const RUNS: usize = 15;
const FIRST_TEST: &str =
    "first_test::creating_a_user_stores_it_and_sends_one_welcome_email";

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let test_binary = std::env::args().nth(1).expect(
        "usage: bench_spine <path to the user-service `api` test binary>",
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();

    let cluster_start = (0..5)
        .map(|_| {
            let started = Instant::now();
            let cluster = Cluster::start()
                .unwrap_or_else(|why| panic!("cluster start failed: {why}"));
            let elapsed = started.elapsed();
            drop(cluster); // its watchdog stops and deletes it
            elapsed
        })
        .collect();

    let per_test_database = runtime.block_on(async {
        // The first call starts the stock (cluster + template): not a
        // per-test cost.
        drop(testdb::fresh_database(&user_service::MIGRATOR).await);
        let mut samples = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let db = testdb::fresh_database(&user_service::MIGRATOR).await;
            samples.push(started.elapsed());
            drop(db);
        }
        samples
    });

    // One server for every run of the test process, as CI's DATABASE_URL
    // would be.
    let server = Cluster::start()
        .unwrap_or_else(|why| panic!("cluster start failed: {why}"));
    let first_test = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let status = Command::new(&test_binary)
                .args(["--exact", FIRST_TEST, "--quiet"])
                .env("DATABASE_URL", server.admin_url())
                .output()
                .expect("run the test binary");
            assert!(
                status.status.success(),
                "the first chapter's test failed: {}",
                String::from_utf8_lossy(&status.stdout)
            );
            started.elapsed()
        })
        .collect();

    println!("| step | median ms | runs |");
    println!("|---|---:|---:|");
    println!(
        "| throwaway cluster start | {:.1} | 5 |",
        median(cluster_start)
    );
    println!(
        "| one per-test database | {:.2} | {RUNS} |",
        median(per_test_database)
    );
    println!(
        "| first chapter's test, whole process | {:.1} | {RUNS} |",
        median(first_test)
    );
}
