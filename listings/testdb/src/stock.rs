//! The stock of ready databases, kept by one background thread per test process.
//!
//! Why a thread of its own: each `#[tokio::test]` runs on its own runtime, and
//! a connection opened on one runtime dies with it. The template, the admin
//! connections and the clone-making must outlive any single test, so they live
//! on a runtime nobody else owns. Tests talk to it through channels only.
//!
//! What it does:
//! 1. once: create `testdb_<pid>_template` and run the migrations into it;
//! 2. forever: keep [`READY_CLONES`] clones of it made ahead of demand, each
//!    with its pool already connected, [`CLONE_MAKERS`] of them at a time;
//! 3. forever: drop the databases tests are done with.

use std::{
    sync::OnceLock,
    sync::atomic::{AtomicU64, Ordering},
    thread,
};

use sqlx::{
    Connection, Executor, PgConnection, PgPool,
    migrate::Migrator,
    postgres::{PgConnectOptions, PgPoolOptions},
};
use tokio::sync::{Mutex, mpsc};

use crate::{CONNECTIONS_PER_TEST, server::Server};

/// How many clones wait ready. Two test threads rarely need more than a
/// couple at once; more would only cost RAM.
pub const READY_CLONES: usize = 4;

/// Clones made at the same time. A clone spends part of its time waiting on
/// the server (a checkpoint, the file copy), so two makers refill the stock
/// faster than one when the tests are quick; more only fight over the cores.
pub const CLONE_MAKERS: usize = 2;

/// A clone no test has used, and a pool on it with one connection open.
pub struct Ready {
    pub name: String,
    pub pool: PgPool,
}

pub struct Stock {
    ready: Mutex<mpsc::Receiver<Ready>>,
    used: mpsc::UnboundedSender<String>,
    options: PgConnectOptions,
    url_base: UrlBase,
    migrator: &'static Migrator,
}

/// How to turn a database name into a URL for a child process.
enum UrlBase {
    External(PgConnectOptions),
    Socket { dir: std::path::PathBuf },
}

static STOCK: OnceLock<Result<Stock, String>> = OnceLock::new();

impl Stock {
    /// The process's stock, started by the first test that asks.
    pub fn global(migrator: &'static Migrator) -> &'static Stock {
        let stock = STOCK
            .get_or_init(|| Stock::start(migrator))
            .as_ref()
            .unwrap_or_else(|why| panic!("testdb: {why}"));
        assert!(
            std::ptr::eq(stock.migrator, migrator),
            "testdb: one test process serves one set of migrations; split tests with other migrations into another test binary"
        );
        stock
    }

    pub async fn take_ready(&self) -> Ready {
        self.ready.lock().await.recv().await.expect("testdb: the background thread stopped; its error was printed above")
    }

    pub fn retire(&self, name: String) {
        // If the thread is gone the process is ending and the cluster with it.
        let _ = self.used.send(name);
    }

    pub fn options_for(&self, database: &str) -> PgConnectOptions {
        self.options.clone().database(database)
    }

    pub fn url_for(&self, database: &str) -> String {
        match &self.url_base {
            UrlBase::Socket { dir } => {
                format!(
                    "postgres://postgres@localhost:{}/{database}?host={}",
                    crate::cluster::PORT,
                    dir.display()
                )
            }
            UrlBase::External(options) => {
                use sqlx::ConnectOptions;
                let mut url = options.to_url_lossy();
                url.set_path(database);
                url.to_string()
            }
        }
    }

    /// Starts the background thread and waits until the template is migrated,
    /// so the first test's error (no server, bad migration) is the real one.
    fn start(migrator: &'static Migrator) -> Result<Stock, String> {
        let server = Server::find()?;
        let options = server.admin_options();
        let url_base = match &server {
            Server::External { admin } => UrlBase::External(admin.clone()),
            Server::Throwaway(cluster) => UrlBase::Socket {
                dir: cluster.data_dir.clone(),
            },
        };
        let (ready_tx, ready_rx) = mpsc::channel(READY_CLONES);
        let (used_tx, used_rx) = mpsc::unbounded_channel();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let options_for_clones = options.clone();

        thread::Builder::new()
            .name("testdb-stock".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime");
                runtime.block_on(async move {
                    // `server` moved into this block, which never ends: for a
                    // throwaway cluster, the watchdog pipe stays open as long
                    // as the process lives.
                    let template =
                        match prepare_template(&server, migrator).await {
                            Ok(template) => template,
                            Err(why) => {
                                return started_tx.send(Err(why)).unwrap_or(());
                            }
                        };
                    let _ = started_tx.send(Ok(()));
                    let admin = template.admin;
                    for _ in 0..CLONE_MAKERS {
                        let maker = keep_clones_ready(
                            admin.clone(),
                            template.name.clone(),
                            options_for_clones.clone(),
                            ready_tx.clone(),
                        );
                        tokio::spawn(maker);
                    }
                    drop(ready_tx); // the makers hold the only senders now
                    drop_used(admin, used_rx).await;
                });
            })
            .map_err(|error| {
                format!("could not start the background thread: {error}")
            })?;

        started_rx.recv().map_err(|_| {
            "the background thread died during set-up".to_string()
        })??;
        Ok(Stock {
            ready: Mutex::new(ready_rx),
            used: used_tx,
            options,
            url_base,
            migrator,
        })
    }
}

struct Template {
    name: String,
    admin: PgPool,
}

/// Creates this process's template and migrates it, once.
async fn prepare_template(
    server: &Server,
    migrator: &'static Migrator,
) -> Result<Template, String> {
    let where_ = server.describe();
    // One plain connection first: a pool would retry until its timeout and
    // then report "pool timed out", hiding the real cause (refused, bad password…).
    PgConnection::connect_with(&server.admin_options())
        .await
        .map_err(|error| format!("could not connect to {where_}: {error}"))?
        .close()
        .await
        .map_err(|error| error.to_string())?;
    let admin = PgPoolOptions::new()
        // One per clone maker, one for dropping used databases.
        .max_connections(CLONE_MAKERS as u32 + 1)
        .connect_with(server.admin_options())
        .await
        .map_err(|error| format!("could not connect to {where_}: {error}"))?;
    drop_leftovers(&admin).await;

    let name = format!("testdb_{}_template", std::process::id());
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .map_err(|error| format!("could not create a database on {where_} (does the user have CREATEDB?): {error}"))?;

    // Migrate over one connection that we close before the first clone:
    // PostgreSQL refuses to copy a template while anyone is connected to it.
    let mut conn =
        PgConnection::connect_with(&server.admin_options().database(&name))
            .await
            .map_err(|error| format!("could not connect to {name}: {error}"))?;
    migrator
        .run(&mut conn)
        .await
        .map_err(|error| format!("migrations failed: {error}"))?;
    conn.close().await.map_err(|error| error.to_string())?;

    // From now on nobody may connect to it, so no stray session can block a clone.
    admin
        .execute(format!("ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").as_str())
        .await
        .map_err(|error| error.to_string())?;
    Ok(Template { name, admin })
}

static CLONES_MADE: AtomicU64 = AtomicU64::new(0);

async fn keep_clones_ready(
    admin: PgPool,
    template: String,
    options: PgConnectOptions,
    ready: mpsc::Sender<Ready>,
) {
    // Since PostgreSQL 15 a clone is by default copied block by block through
    // the write-ahead log; copying the files is the older way and, for a small
    // template, less work: the stock refills about twice as fast here. Older
    // servers only know the file copy, and no STRATEGY clause.
    let version: i32 =
        sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
            .fetch_one(&admin)
            .await
            .unwrap_or(0);
    let strategy = if version >= 150000 {
        " STRATEGY FILE_COPY"
    } else {
        ""
    };
    loop {
        let n = CLONES_MADE.fetch_add(1, Ordering::Relaxed);
        let name = format!("testdb_{}_{n}", std::process::id());
        let created = admin
            .execute(
                format!("CREATE DATABASE {name} TEMPLATE {template}{strategy}")
                    .as_str(),
            )
            .await;
        if let Err(error) = created {
            eprintln!("testdb: could not clone the template: {error}");
            return; // closing the channel makes waiting tests fail loudly
        }
        let pool = match connect_test_pool(options.clone().database(&name))
            .await
        {
            Ok(pool) => pool,
            Err(error) => {
                eprintln!(
                    "testdb: could not connect to the new clone {name}: {error}"
                );
                return;
            }
        };
        // Waits while READY_CLONES are unclaimed: the stock stays small.
        if ready.send(Ready { name, pool }).await.is_err() {
            return;
        }
    }
}

// ANCHOR: connect_test_pool
/// The pool a test gets, with its first connection opened here, ahead of
/// the test: a new PostgreSQL connection starts a server process, which
/// costs a few milliseconds — most of what is left once the clone exists.
///
/// That connection belongs to this thread's runtime, which lives as long as
/// the process, so the test's runtime can use it (tokio wakes the test when
/// this thread's I/O driver sees data). Connections the test's pool opens
/// later belong to the test's runtime, and end with it.
async fn connect_test_pool(
    options: PgConnectOptions,
) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(CONNECTIONS_PER_TEST)
        // No idle or lifetime limits: they would start a housekeeping task on
        // this runtime for every pool, and a test's pool lives for seconds.
        .idle_timeout(None)
        .max_lifetime(None)
        // Don't ping a connection before handing it out: these are seconds
        // old, and a ping is one more round trip on the test's path.
        .test_before_acquire(false)
        .connect_with(options)
        .await
}
// ANCHOR_END: connect_test_pool

async fn drop_used(admin: PgPool, mut used: mpsc::UnboundedReceiver<String>) {
    while let Some(name) = used.recv().await {
        // FORCE: the test's pool may still be closing its connections.
        let dropped = admin
            .execute(
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
            )
            .await;
        if let Err(error) = dropped {
            eprintln!("testdb: could not drop {name}: {error}");
        }
    }
}

/// Drops databases that earlier test processes on this machine left on an
/// external server (a run killed half-way). Their names carry the process id;
/// a process that no longer exists can't be using them.
async fn drop_leftovers(admin: &PgPool) {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'testdb\\_%'",
    )
    .fetch_all(admin)
    .await
    .unwrap_or_default();
    for name in names {
        let Some(pid) = name.split('_').nth(1) else {
            continue;
        };
        if std::path::Path::new("/proc").join(pid).exists() {
            continue;
        }
        let _ = admin
            .execute(
                format!("ALTER DATABASE {name} WITH IS_TEMPLATE false")
                    .as_str(),
            )
            .await;
        let _ = admin
            .execute(
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
            )
            .await;
    }
}
