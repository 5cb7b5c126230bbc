//! `bench-isolation`: how long a test waits for a clean database under each
//! isolation strategy, all against one PostgreSQL server, in one process.
//!
//! ```text
//! bench-isolation [--json] [-n SAMPLES] [--test-ms MS]
//! ```
//!
//! What is timed, for every strategy alike: from the moment the test starts
//! to the moment its first query (`SELECT 1`) has been answered on a database
//! nobody else's rows can reach. That includes opening the test's connection,
//! because a test can't do anything before that. What the test then does, and
//! the clean-up afterwards, run untimed between samples.
//!
//! Samples are paced like a test suite: after its first query, each sample
//! runs a small body (a write and a read) and then stands for the rest of a
//! test by pausing `--test-ms` (default 20). Work done in the background, as
//! testdb's stock of clones does, can only hide behind that time; with
//! `--test-ms 0` the tests arrive back to back and the stock runs dry.
//!
//! `pooled_clone` runs two tests at a time, as `cargo test` does on two
//! threads. `process_per_test` starts a new process for every acquisition,
//! as `cargo nextest run` does, and times it from the spawn to the child's
//! first answered query on its own database; `process_baseline` times the
//! same program started with nothing to do, so the difference is testdb's.
//! `new_connection` opens one connection and answers `SELECT 1` in this
//! process: what a connection made on the test's path costs at least.
//! `transaction_rollback` and `truncate` take an already-open connection
//! from a pool, as a suite built on them would have.
//!
//! The server: `DATABASE_URL` if set. Otherwise the program joins testdb's
//! throwaway cluster and runs itself again with `DATABASE_URL` pointing
//! there, because `#[sqlx::test]` only ever reads `DATABASE_URL`.
//! Either way, every strategy runs against the same server.

// OUTPUT(measured): output/bench-isolation.txt $ cargo xtask bench-isolation
// OUTPUT(measured): output/bench-isolation-back-to-back.txt \
// $ cargo xtask bench-isolation --test-ms 0

use std::{
    io::{BufRead, BufReader},
    process::{Command, ExitCode, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use isolation::{
    MIGRATOR, handmade, strategies,
    users::{count_users, create_user},
};
use sqlx::{
    Connection, Executor, PgConnection, PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
    testing::{TestArgs, TestFn},
};

/// Samples per strategy unless `-n` says otherwise.
const DEFAULT_SAMPLES: usize = 50;
/// How long the rest of a test takes, by default. The running example's own
/// tests take 13–79 ms each on the book's machine (`--report-time`), so 20 ms
/// is a short test.
const DEFAULT_TEST_MS: u64 = 20;
/// Untimed runs first, so one-off costs (the first connection, the template's
/// migration, the page cache) don't land in any strategy's figures.
const WARM_UP: usize = 3;

/// Set when this program runs itself against testdb's throwaway cluster.
const ON_THE_THROWAWAY_CLUSTER: &str = "BENCH_ISOLATION_THROWAWAY";

/// `--test-ms`, readable from `#[sqlx::test]`'s body, which can't capture it.
static TEST_TIME: OnceLock<Duration> = OnceLock::new();

/// What a child process started by this benchmark does.
enum Child {
    /// Says "ready" at once: the cost of starting the program at all.
    Baseline,
    /// Takes a database, answers its first query, says "ready".
    AcquireOnce,
}

struct Options {
    child: Option<Child>,
    json: bool,
    samples: usize,
    /// What stands for the rest of each test, after its first query.
    test_time: Duration,
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(why) => {
            eprintln!(
                "bench-isolation: {why}\nusage: bench-isolation [--json] \
                 [-n SAMPLES] [--test-ms MS]"
            );
            return ExitCode::from(2);
        }
    };
    TEST_TIME.set(options.test_time).expect("set once");
    match options.child {
        Some(Child::Baseline) => return child_ready(),
        Some(Child::AcquireOnce) => return acquire_once(),
        None => {}
    }
    match std::env::var("DATABASE_URL") {
        Ok(url) => run_all(&url, &options),
        Err(_) => rerun_against_the_harness_server(),
    }
}

fn parse_args() -> Result<Options, String> {
    let mut options = Options {
        child: None,
        json: false,
        samples: DEFAULT_SAMPLES,
        test_time: Duration::from_millis(DEFAULT_TEST_MS),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => options.json = true,
            "--child-baseline" => options.child = Some(Child::Baseline),
            "--child-acquire" => options.child = Some(Child::AcquireOnce),
            "-n" => {
                let value =
                    args.next().ok_or("-n needs a number of samples")?;
                options.samples = value.parse().map_err(|_| {
                    format!("-n wants a positive number, got {value:?}")
                })?;
                if options.samples == 0 {
                    return Err("-n wants at least 1 sample".into());
                }
            }
            "--test-ms" => {
                let value = args
                    .next()
                    .ok_or("--test-ms needs a number of milliseconds")?;
                let ms: u64 = value.parse().map_err(|_| {
                    format!("--test-ms wants a whole number, got {value:?}")
                })?;
                options.test_time = Duration::from_millis(ms);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

/// Joins testdb's throwaway cluster and runs this program again with
/// `DATABASE_URL` set to its maintenance database. The child's testdb then
/// uses that same server too (it honours `DATABASE_URL`), so all strategies
/// share one server.
fn rerun_against_the_harness_server() -> ExitCode {
    // Joins the cluster for as long as this process runs.
    let url = testdb::server_url()
        .unwrap_or_else(|why| panic!("no throwaway cluster: {why}"));
    let exe = std::env::current_exe().expect("the program knows its own path");
    let status = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("DATABASE_URL", url)
        .env(ON_THE_THROWAWAY_CLUSTER, "1")
        .status()
        .expect("could not run bench-isolation again with DATABASE_URL set");
    ExitCode::from(status.code().unwrap_or(1) as u8)
}

struct Row {
    strategy: &'static str,
    samples: Vec<Duration>,
}

fn run_all(url: &str, options: &Options) -> ExitCode {
    let server: PgConnectOptions = match url.parse() {
        Ok(server) => server,
        Err(error) => {
            let why = "DATABASE_URL is not a PostgreSQL URL";
            eprintln!("bench-isolation: {why} ({error})");
            return ExitCode::from(2);
        }
    };
    let n = options.samples;
    // `#[sqlx::test]` builds its own runtime per test, so it runs outside ours.
    let mut rows = vec![Row {
        strategy: "sqlx_test",
        samples: sample(n, sqlx_test_once),
    }];

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let mut admin = PgConnection::connect_with(&server)
            .await
            .expect("connect to DATABASE_URL");
        let prefix = format!("bench_{}", std::process::id());

        let mut i = 0;
        rows.push(Row {
            strategy: "create_and_migrate",
            samples: sample_async(n, async || {
                i += 1;
                create_and_migrate_once(
                    &mut admin,
                    &server,
                    format!("{prefix}_{i}"),
                )
                .await
            })
            .await,
        });

        // One migrated template for the plain clone strategy, made untimed.
        let template = format!("{prefix}_template");
        strategies::create_and_migrate(&mut admin, &server, &template)
            .await
            .expect("template")
            .close()
            .await
            .ok();
        rows.push(Row {
            strategy: "template_clone",
            samples: sample_async(n, async || {
                i += 1;
                template_clone_once(
                    &mut admin,
                    &server,
                    &template,
                    format!("{prefix}_{i}"),
                )
                .await
            })
            .await,
        });
        strategies::drop_database(&mut admin, &template)
            .await
            .expect("drop the template");

        rows.push(Row {
            strategy: "hand_written",
            samples: sample_async(n, async || hand_written_once(&server).await)
                .await,
        });
        handmade::drop_template(&server).await;

        rows.push(Row {
            strategy: "pooled_clone",
            // Blocks this runtime meanwhile: nothing else runs on it.
            samples: two_at_a_time(n),
        });
        rows.push(Row {
            strategy: "process_per_test",
            samples: sample(n, || process_once("--child-acquire")),
        });
        rows.push(Row {
            strategy: "process_baseline",
            samples: sample(n, || process_once("--child-baseline")),
        });
        rows.push(Row {
            strategy: "new_connection",
            samples: sample_async(n, async || {
                new_connection_once(&server).await
            })
            .await,
        });

        // The shared database the last two strategies use, as a suite built
        // on them would have: migrated once, before any test.
        let shared = format!("{prefix}_shared");
        strategies::create_and_migrate(&mut admin, &server, &shared)
            .await
            .expect("shared")
            .close()
            .await
            .ok();
        // Open before the first sample, as a suite's pool would be.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(server.clone().database(&shared))
            .await
            .expect("a pool on the shared database");
        rows.push(Row {
            strategy: "transaction_rollback",
            samples: sample_async(n, async || {
                transaction_rollback_once(&pool).await
            })
            .await,
        });
        rows.push(Row {
            strategy: "truncate",
            samples: sample_async(n, async || truncate_once(&pool).await).await,
        });
        pool.close().await;
        strategies::drop_database(&mut admin, &shared)
            .await
            .expect("drop the shared database");
    });

    print_rows(&rows, options.json);
    ExitCode::SUCCESS
}

fn sample(n: usize, mut once: impl FnMut() -> Duration) -> Vec<Duration> {
    (0..WARM_UP).for_each(|_| {
        once();
    });
    (0..n).map(|_| once()).collect()
}

async fn sample_async(
    n: usize,
    mut once: impl AsyncFnMut() -> Duration,
) -> Vec<Duration> {
    for _ in 0..WARM_UP {
        once().await;
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        samples.push(once().await);
    }
    samples
}

/// What every sample's test does once it has its database, untimed: one
/// write and one read, so each strategy also has to leave a working database.
async fn test_body(conn: &mut PgConnection) {
    create_user(conn, "Ada", "ada@example.com")
        .await
        .expect("insert a user");
    assert_eq!(
        count_users(conn).await.expect("count users"),
        1,
        "the test's database started empty"
    );
    // The rest of the test, modelled: the time a real test spends on its
    // HTTP calls and assertions. Not a wait for anything.
    tokio::time::sleep(*TEST_TIME.get().expect("set in main")).await;
}

async fn first_query(conn: &mut PgConnection) {
    conn.execute("SELECT 1").await.expect("first query");
}

// What `#[sqlx::test(migrator = "MIGRATOR")] async fn t(pool: PgPool)` expands
// to: a `TestArgs` naming the test, and `run_test`, which builds a runtime,
// creates and migrates a database, runs the body, and drops the database.
fn sqlx_test_once() -> Duration {
    async fn body(pool: PgPool) -> Result<Instant, sqlx::Error> {
        let mut conn = pool.acquire().await?;
        first_query(&mut conn).await;
        let ready = Instant::now();
        test_body(&mut conn).await;
        Ok(ready)
    }
    let mut args = TestArgs::new("bench_isolation::sqlx_test");
    args.migrator(&MIGRATOR);
    let started = Instant::now();
    let body: fn(PgPool) -> _ = body;
    let ready = body.run_test(args).expect("the sqlx_test body ran");
    ready - started
}

/// The shared end of the two "own database" strategies: the clock stops at
/// the first answered query; the test body, closing and dropping the database
/// happen after, off the measured path.
async fn time_to_first_query_then_drop(
    admin: &mut PgConnection,
    mut conn: PgConnection,
    name: &str,
    started: Instant,
) -> Duration {
    first_query(&mut conn).await;
    let waited = started.elapsed();
    test_body(&mut conn).await;
    conn.close().await.ok();
    strategies::drop_database(admin, name).await.expect("drop");
    waited
}

async fn create_and_migrate_once(
    admin: &mut PgConnection,
    server: &PgConnectOptions,
    name: String,
) -> Duration {
    let started = Instant::now();
    let conn = strategies::create_and_migrate(admin, server, &name)
        .await
        .expect("create and migrate");
    time_to_first_query_then_drop(admin, conn, &name, started).await
}

async fn template_clone_once(
    admin: &mut PgConnection,
    server: &PgConnectOptions,
    template: &str,
    name: String,
) -> Duration {
    let started = Instant::now();
    strategies::clone_template(admin, template, &name)
        .await
        .expect("clone the template");
    let conn = PgConnection::connect_with(&server.clone().database(&name))
        .await
        .expect("connect to the clone");
    time_to_first_query_then_drop(admin, conn, &name, started).await
}

/// The chapter's hand-written harness: a clone made while the test waits,
/// and a pool connected to it.
async fn hand_written_once(server: &PgConnectOptions) -> Duration {
    let started = Instant::now();
    let db = handmade::own_database(server).await;
    let mut conn = db.pool.acquire().await.expect("a connection");
    first_query(&mut conn).await;
    let waited = started.elapsed();
    test_body(&mut conn).await;
    drop(conn);
    db.finish().await;
    waited
}

async fn pooled_clone_once() -> Duration {
    let started = Instant::now();
    let db = testdb::fresh_database(&MIGRATOR).await;
    let mut conn = db
        .pool
        .acquire()
        .await
        .expect("a connection from the test's pool");
    first_query(&mut conn).await;
    let waited = started.elapsed();
    test_body(&mut conn).await;
    waited
    // `db` is dropped here: testdb drops the database in the background.
}

/// What one new connection costs: PostgreSQL starts a server process for
/// it, which reads the catalog before it answers. The floor under any
/// strategy that connects on the test's path.
async fn new_connection_once(server: &PgConnectOptions) -> Duration {
    let started = Instant::now();
    let mut conn = PgConnection::connect_with(server)
        .await
        .expect("connect to the server");
    first_query(&mut conn).await;
    let waited = started.elapsed();
    conn.close().await.ok();
    waited
}

async fn transaction_rollback_once(shared: &PgPool) -> Duration {
    let started = Instant::now();
    let mut conn = shared.acquire().await.expect("a pooled connection");
    let mut tx = conn.begin().await.expect("begin");
    first_query(&mut tx).await;
    let waited = started.elapsed();
    test_body(&mut tx).await;
    tx.rollback().await.expect("rollback");
    waited
}

async fn truncate_once(shared: &PgPool) -> Duration {
    let started = Instant::now();
    let mut conn = shared.acquire().await.expect("a pooled connection");
    strategies::truncate_all(&mut conn).await.expect("truncate");
    first_query(&mut conn).await;
    let waited = started.elapsed();
    test_body(&mut conn).await;
    waited
}

/// `pooled_clone` with two tests running at once, as libtest runs them:
/// two threads, each test on a runtime of its own, each thread taking
/// `n / 2` databases one after another.
fn two_at_a_time(n: usize) -> Vec<Duration> {
    let one_thread = |count: usize| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        (0..WARM_UP + count)
            .map(|_| runtime.block_on(pooled_clone_once()))
            .skip(WARM_UP)
            .collect::<Vec<_>>()
    };
    std::thread::scope(|scope| {
        let first = scope.spawn(|| one_thread(n - n / 2));
        let second = scope.spawn(|| one_thread(n / 2));
        let mut samples = first.join().expect("first test thread");
        samples.extend(second.join().expect("second test thread"));
        samples
    })
}

/// Starts this program as a child in `mode`, and times the spawn until the
/// child says "ready"; then lets it finish, untimed.
fn process_once(mode: &str) -> Duration {
    let exe = std::env::current_exe().expect("the program's own path");
    let mut command = Command::new(exe);
    command
        .arg(mode)
        // Each child runs one test, and testdb knows it as nextest says so.
        .env("NEXTEST_EXECUTION_MODE", "process-per-test")
        .stdout(Stdio::piped());
    if std::env::var_os(ON_THE_THROWAWAY_CLUSTER).is_some() {
        // As under `cargo nextest run` with no DATABASE_URL: the child
        // joins the shared cluster itself.
        command.env_remove("DATABASE_URL");
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("start a child");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("read the child's line");
    let waited = started.elapsed();
    assert_eq!(line.trim(), "ready", "the child failed before its query");
    assert!(child.wait().expect("wait").success(), "the child failed");
    waited
}

fn child_ready() -> ExitCode {
    println!("ready");
    ExitCode::SUCCESS
}

/// One test, as nextest runs it: a process that takes its database,
/// answers its first query, and ends.
fn acquire_once() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let db = testdb::fresh_database(&MIGRATOR).await;
        let mut conn = db.pool.acquire().await.expect("a connection");
        first_query(&mut conn).await;
        println!("ready");
        test_body(&mut conn).await;
    });
    ExitCode::SUCCESS
}

/// The sample at `fraction` of the sorted samples (nearest rank).
fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let rank = (fraction * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

fn print_rows(rows: &[Row], json: bool) {
    if !json {
        println!("| strategy | median ms | p95 ms | p99 ms | n |");
        println!("|---|---:|---:|---:|---:|");
    }
    for row in rows {
        let mut sorted = row.samples.clone();
        sorted.sort();
        let (median, p95, p99, n) = (
            millis(percentile(&sorted, 0.5)),
            millis(percentile(&sorted, 0.95)),
            millis(percentile(&sorted, 0.99)),
            sorted.len(),
        );
        if json {
            // Written by hand to keep the fields in the documented order.
            let strategy = serde_json::Value::from(row.strategy);
            println!(
                "{{\"strategy\": {strategy}, \"median_ms\": {median}, \
                 \"p95_ms\": {p95}, \"p99_ms\": {p99}, \"n\": {n}}}"
            );
        } else {
            println!(
                "| `{}` | {median:.2} | {p95:.2} | {p99:.2} | {n} |",
                row.strategy
            );
        }
    }
}
