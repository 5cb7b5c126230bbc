//! The stock of ready databases, shared by every test process on a server.
//!
//! Names carry the migrations, never a process:
//!
//! ```text
//! testdb_<key>_template    migrated once; <key> is a hash of the migrations
//! testdb_<key>_<random>    a clone of it (`…_local_<random>` on our own
//!                          cluster: see `local`)
//! ```
//!
//! On a `DATABASE_URL` server, who owns a clone is a *session-level advisory
//! lock* in the admin database (the one `DATABASE_URL` names), held by the
//! owning process's admin session. The server releases it when that session
//! ends, however the process ended and on whichever machine or container it
//! ran, so a lock we can take proves the owner is gone. A clone is in one of
//! four states:
//!
//! | owner lock | comment      | state                                     |
//! |------------|--------------|-------------------------------------------|
//! | held       | any          | owned by a live process: never touched    |
//! | free       | none         | clean, in stock: any process may claim it |
//! | free       | `used`       | claimed by a process that is gone: drop   |
//! | free       | `kept <run>` | a failed test's: the next run drops it    |
//!
//! On testdb's own cluster, every process is on this machine, and a lock on
//! a file in the cluster's directory says the same without a round trip to
//! the server (see `local`). Everything else is the same on both.
//!
//! One background thread per test process keeps a few claimed clones
//! connected and ready, tops the shared stock up, finishes used databases,
//! and sweeps what dead processes left. On a `DATABASE_URL` server, the
//! last process of a run drops the stock as it exits, so a run leaves only
//! the template behind. It has a runtime of its own because
//! each `#[tokio::test]` has its own, and a connection opened on one runtime
//! dies with it.

use std::{
    path::PathBuf,
    sync::{Arc, OnceLock},
    thread,
    time::Duration,
};

use sha2::{Digest, Sha256};
use sqlx::{
    Connection, Executor, PgConnection, PgPool, Row,
    migrate::{MigrateError, Migrator},
    postgres::{PgConnectOptions, PgPoolOptions},
};
use tokio::sync::{Mutex, mpsc};

use crate::{
    CONNECTIONS_PER_TEST,
    local::{Claim, Clones},
    server::Server,
};

/// Claimed clones each process keeps connected, ahead of its tests: one for
/// each of two test threads, and one more, so that a test that starts while
/// the clone it replaces is still being made finds one. Under nextest a
/// process runs one test, and keeps one.
pub const READY_CLONES: usize = 3;

fn ready_clones() -> usize {
    if one_test_per_process() {
        1
    } else {
        READY_CLONES
    }
}

/// Under `cargo nextest run`, which says so in this variable.
fn one_test_per_process() -> bool {
    std::env::var("NEXTEST_EXECUTION_MODE")
        .is_ok_and(|mode| mode == "process-per-test")
}

/// A test found no clone ready. Under nextest the filler claims the first
/// clone ahead, and any further one only when asked: a clone claimed and
/// never used is dropped with its process.
static WANTED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// A test is done with its database. A clone taken is replaced then, not at
/// once: making one (a claim, a new server process) takes CPU, and on a
/// small machine a test that has just started would wait for it.
static FINISHED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// The first clone is on its way to the first test: the other fillers may
/// start (until then they would compete with it for the admin session).
static FIRST_HANDED_OUT: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Clean clones the server keeps for every process to draw from, so a
/// process that runs one test (nextest) claims one instead of making one.
pub const SHARED_STOCK: i64 = 4;

/// Clones made at the same time, per process. Part of a clone's time is
/// spent waiting on the server, so two refill faster than one.
pub const CLONE_MAKERS: u32 = 2;

/// The high 32 bits of every testdb advisory-lock key ("7e57db": testdb).
/// The low 32 bits are a database's oid: one lock per database.
const LOCK_CLASS: i64 = 0x7e57db;
const fn lock_key(oid: i64) -> i64 {
    (LOCK_CLASS << 32) | oid
}
/// Held while a template is built, so only one process builds it.
const BUILD_KEY: i64 = lock_key(0);
/// Every running process holds it shared; one that can take it exclusively
/// is the only one running: a new run, which may drop what failed tests kept.
const RUN_KEY: i64 = lock_key(1);

/// A clone this process owns, and a pool on it with one connection open.
pub struct Ready {
    pub name: String,
    pub pool: PgPool,
}

/// What to do with a database a test is done with.
struct Finish {
    name: String,
    keep: bool,
    done: std::sync::mpsc::Sender<()>,
}

pub struct Stock {
    ready: Mutex<mpsc::Receiver<Ready>>,
    finish: mpsc::UnboundedSender<Finish>,
    leave: mpsc::UnboundedSender<std::sync::mpsc::Sender<()>>,
    options: PgConnectOptions,
    url_base: UrlBase,
    migrator: &'static Migrator,
}

/// How to turn a database name into a URL for a child process.
enum UrlBase {
    External(Box<PgConnectOptions>),
    Socket { dir: PathBuf },
}

static STOCK: OnceLock<Result<Stock, String>> = OnceLock::new();

impl Stock {
    /// The process's stock, started by the first test that asks.
    pub fn global(migrator: &'static Migrator) -> &'static Stock {
        let stock = STOCK
            .get_or_init(|| {
                let stock = Stock::start(migrator);
                if stock.is_ok() {
                    // SAFETY: registers a plain function to run at exit,
                    // which is what a test binary does after its last test.
                    unsafe { libc::atexit(leave_at_exit) };
                }
                stock
            })
            .as_ref()
            .unwrap_or_else(|why| panic!("testdb: {why}"));
        assert!(
            std::ptr::eq(stock.migrator, migrator),
            "testdb: one test process serves one set of migrations; split \
             tests with other migrations into another test binary"
        );
        stock
    }

    pub async fn take_ready(&self) -> Ready {
        let mut channel = self.ready.lock().await;
        let ready = match channel.try_recv() {
            Ok(ready) => Some(ready),
            Err(_) => {
                WANTED.notify_one(); // for a filler that waits to be asked
                channel.recv().await
            }
        };
        ready.unwrap_or_else(|| {
            panic!(
                "testdb: {}",
                self.explain(
                    "the background thread stopped; its error is above"
                )
            )
        })
    }

    /// `why`, unless the throwaway cluster is gone: then that is the cause.
    pub fn explain(&self, why: &str) -> String {
        match &self.url_base {
            UrlBase::Socket { dir } => explain_gone(dir, why),
            UrlBase::External(_) => why.to_string(),
        }
    }

    /// Drops the database (or, for a failed test, keeps it) and waits until
    /// that is done: the process may end right after the test.
    pub fn finish(&self, name: String, keep: bool) {
        let (done, finished) = std::sync::mpsc::channel();
        if self.finish.send(Finish { name, keep, done }).is_ok() {
            let _ = finished.recv_timeout(Duration::from_secs(30));
        }
    }

    /// Called as the process exits: a clone being made lands first, and on
    /// a `DATABASE_URL` server the last process of a run drops the stock
    /// (see `leave_when_asked`). The throwaway cluster keeps its stock for
    /// the next process, and goes, whole, after its last user.
    pub fn leave(&self) {
        let (done, left) = std::sync::mpsc::channel();
        if self.leave.send(done).is_ok() {
            let _ = left.recv_timeout(Duration::from_secs(30));
        }
    }

    pub fn options_for(&self, database: &str) -> PgConnectOptions {
        self.options.clone().database(database)
    }

    pub fn url_for(&self, database: &str) -> String {
        match &self.url_base {
            UrlBase::Socket { dir } => format!(
                "postgres://postgres@localhost:{}/{database}?host={}",
                crate::cluster::PORT,
                dir.display()
            ),
            UrlBase::External(options) => {
                use sqlx::ConnectOptions;
                let mut url = options.to_url_lossy();
                url.set_path(database);
                url.to_string()
            }
        }
    }

    /// The one line a failed test prints: how to open what it left.
    pub fn how_to_open(&self, database: &str) -> String {
        let mut url = self.url_for(database);
        if let Ok(mut parsed) = url::Url::parse(&url) {
            let _ = parsed.set_password(None);
            url = parsed.to_string();
        }
        format!(
            "testdb: kept database {database} of the failed test; \
             open it with: psql '{url}'"
        )
    }

    /// Starts the background thread and waits until this process owns its
    /// first clone, so the first test's error (no server, a bad migration)
    /// is the real one.
    fn start(migrator: &'static Migrator) -> Result<Stock, String> {
        let server = Server::find()?;
        let options = server.admin_options();
        let url_base = match &server {
            Server::External { admin } => UrlBase::External(admin.clone()),
            Server::Throwaway(cluster) => UrlBase::Socket {
                dir: cluster.data_dir.clone(),
            },
        };
        let (ready_tx, ready_rx) = mpsc::channel(ready_clones());
        let (finish_tx, finish_rx) = mpsc::unbounded_channel();
        let (leave_tx, leave_rx) = mpsc::unbounded_channel();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        thread::Builder::new()
            .name("testdb-stock".into())
            .spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime")
                    .block_on(background(
                        server, migrator, started_tx, ready_tx, finish_rx,
                        leave_rx,
                    ));
            })
            .map_err(|e| format!("could not start a thread: {e}"))?;
        started_rx
            .recv()
            .map_err(|_| "the background thread died during set-up")??;
        Ok(Stock {
            ready: Mutex::new(ready_rx),
            finish: finish_tx,
            leave: leave_tx,
            options,
            url_base,
            migrator,
        })
    }
}

extern "C" fn leave_at_exit() {
    if let Some(Ok(stock)) = STOCK.get() {
        stock.leave();
    }
}

/// Everything the background thread shares between its tasks.
struct Shared {
    /// The session that holds every lock this process takes. Never closed:
    /// its end is what tells other processes that we are gone.
    owner: Mutex<PgConnection>,
    /// Connections for `CREATE DATABASE`, which can run in parallel.
    makers: PgPool,
    admin: PgConnectOptions,
    key: String,
    template: String,
    kept_dir: Option<PathBuf>,
    /// On our own cluster: the clone files, which say who owns a clone
    /// (see `local`). On a `DATABASE_URL` server, `None`: advisory locks.
    local: Option<Clones>,
    /// No other process used the server when this one set up: its first
    /// sweep also drops what other runs' failed tests kept.
    alone: bool,
}

impl Shared {
    /// `why`, unless our throwaway cluster is gone: then that.
    fn explain(&self, why: String) -> String {
        match self.kept_dir.as_ref().and_then(|kept| kept.parent()) {
            Some(dir) => explain_gone(dir, &why),
            None => why,
        }
    }
}

async fn background(
    server: Server,
    migrator: &'static Migrator,
    started: std::sync::mpsc::Sender<Result<(), String>>,
    ready: mpsc::Sender<Ready>,
    finish: mpsc::UnboundedReceiver<Finish>,
    leave: mpsc::UnboundedReceiver<std::sync::mpsc::Sender<()>>,
) {
    // `server` lives as long as this future, which never ends: for a
    // throwaway cluster, that keeps this process counted as a user.
    let started: Started = Arc::new(std::sync::Mutex::new(Some(started)));
    let key = migrations_key(migrator);
    let local = match &server {
        Server::Throwaway(cluster) => match cluster.clones_dir() {
            Ok(dir) => Some(Clones::new(dir, &key)),
            Err(why) => return fail(&started, why),
        },
        Server::External { .. } => None,
    };
    // On our own cluster a clone in stock is claimed without the server: hand
    // it out first, so the test's connection is the only one on its path,
    // and set up (the admin session, the template's share) while it runs.
    let early = match &local {
        Some(clones) => claim_early(clones, &server).await,
        None => None,
    };
    let handed_out_early = early.is_some();
    if let Some(first) = early {
        let _ = ready.send(first).await;
        hand_out_first(&started);
    }
    let shared = match set_up(&server, migrator, key, local).await {
        Ok(shared) => &*Box::leak(Box::new(shared)),
        Err(why) => {
            fail(&started, why);
            // Later tests get the error (the channels close), but a test
            // may be using a clone it got early: `server` stays.
            drop((ready, finish, leave));
            return std::future::pending().await;
        }
    };
    tokio::spawn(finish_used(shared, finish));
    tokio::spawn(leave_when_asked(shared, leave));
    if handed_out_early {
        start_first_sweep(shared);
        tokio::spawn(top_up(shared));
    } else {
        // One filler claims the first clone, alone: the first test waits
        // for it. The other fillers start once it is on its way.
        tokio::spawn(fill(shared, ready.clone(), started.clone(), false));
        FIRST_HANDED_OUT.notified().await;
    }
    // One filler per ready slot: two tests that take a clone each at the
    // same moment get both replaced at once, not one after the other. Under
    // nextest, a process whose one clone came early waits to be asked.
    let waits = handed_out_early && one_test_per_process();
    let others = if handed_out_early { 0 } else { 1 };
    for _ in others..ready_clones() {
        tokio::spawn(fill(shared, ready.clone(), started.clone(), waits));
    }
    drop(ready);
    // Never returns: the thread, and with it `server`, stays while the
    // process runs, so tests can still finish their databases.
    std::future::pending::<()>().await;
}

/// A clone from our cluster's local stock, claimed and connected, or
/// `None` (none in stock, or it could not be connected: the fillers then
/// make one, and report what is wrong).
async fn claim_early(clones: &Clones, server: &Server) -> Option<Ready> {
    let claim = clones.claim()?;
    let name = claim.name.clone();
    let options = server.admin_options().database(&name);
    keep_claim(claim);
    match connect_test_pool(options, false).await {
        Ok(pool) => Some(Ready { name, pool }),
        Err(_) => {
            take_claim(&name); // unlocked, and `used`: a sweep drops it
            None
        }
    }
}

/// The first test has its clone: set-up went well. Whether this was the
/// first (it is told once).
fn hand_out_first(started: &Started) -> bool {
    let first = started.lock().expect("not poisoned").take();
    if let Some(first) = &first {
        let _ = first.send(Ok(()));
        FIRST_HANDED_OUT.notify_one();
    }
    first.is_some()
}

/// Sends an error to the first test, or prints it if the first test has
/// its clone already.
fn fail(started: &Started, why: String) {
    let first = started.lock().expect("not poisoned").take();
    match first {
        Some(started) => {
            let _ = started.send(Err(why));
        }
        None => eprintln!("testdb: {why}"),
    }
}

/// Once the first test has its clone: the sweep, off its path. A process
/// that was alone let no other one start meanwhile (it holds `RUN_KEY`
/// alone) and lets them in now. `SWEEPING` is taken here, before the task
/// is spawned, so the exit, which waits for it, can't overtake the sweep.
fn start_first_sweep(shared: &'static Shared) {
    let sweeping = SWEEPING.try_lock().ok();
    tokio::spawn(async move {
        sweep(shared, shared.alone).await;
        if shared.alone {
            let mut owner = shared.owner.lock().await;
            let _ = query_bool(&mut owner, "pg_advisory_unlock", RUN_KEY).await;
        }
        drop(sweeping);
    });
}

/// Held by the first sweep. Only the process that was alone at its start
/// drops what other runs kept; if it exited before its sweep finished,
/// no other process of the run would do it.
static SWEEPING: Mutex<()> = Mutex::const_new(());

/// The local claims this process holds: each clone's file stays locked,
/// and so ours, until its test is done with it.
static CLAIMS: std::sync::Mutex<Vec<Claim>> = std::sync::Mutex::new(Vec::new());

fn keep_claim(claim: Claim) -> String {
    let name = claim.name.clone();
    CLAIMS.lock().expect("not poisoned").push(claim);
    name
}

fn take_claim(name: &str) -> Option<Claim> {
    let mut claims = CLAIMS.lock().expect("not poisoned");
    let at = claims.iter().position(|claim| claim.name == name)?;
    Some(claims.swap_remove(at))
}

type Started =
    Arc<std::sync::Mutex<Option<std::sync::mpsc::Sender<Result<(), String>>>>>;

/// Keeps one slot of the ready channel filled with a claimed, connected
/// clone, for as long as the process runs.
async fn fill(
    shared: &'static Shared,
    ready: mpsc::Sender<Ready>,
    started: Started,
    mut handed_out: bool,
) {
    loop {
        if handed_out && one_test_per_process() {
            WANTED.notified().await;
        } else if handed_out {
            // Until a test finishes, or one finds nothing ready.
            tokio::select! {
                _ = WANTED.notified() => {}
                _ = FINISHED.notified() => {}
            }
        }
        let Ok(slot) = ready.reserve().await else {
            return; // the process is ending
        };
        let claimed = loop {
            if leaving() {
                return;
            }
            let name = match claim_one(shared).await {
                Ok(Some(name)) => name,
                // The shared stock is empty: make one clone ourselves.
                Ok(None) => {
                    let _making = MAKING.lock().await;
                    if leaving() {
                        return;
                    }
                    if let Err(why) = make_clone(shared).await {
                        return report(shared, &started, why);
                    }
                    continue;
                }
                Err(why) => return report(shared, &started, why),
            };
            let options = shared.admin.clone().database(&name);
            match connect_test_pool(options, true).await {
                Ok(pool) => break Ready { name, pool },
                Err(e) => {
                    let why = format!("could not connect to {name}: {e}");
                    return report(shared, &started, why);
                }
            }
        };
        slot.send(claimed);
        handed_out = true;
        if hand_out_first(&started) {
            start_first_sweep(shared);
        }
        tokio::spawn(top_up(shared));
    }
}

/// Sends a set-up error to the first test, or prints a later one (not
/// while the process exits: then the drops end connections on purpose).
fn report(shared: &Shared, started: &Started, why: String) {
    if leaving() {
        return;
    }
    fail(started, shared.explain(why));
}

async fn set_up(
    server: &Server,
    migrator: &'static Migrator,
    key: String,
    local: Option<Clones>,
) -> Result<Shared, String> {
    let admin = server.admin_options();
    let where_ = server.describe();
    let mut owner = PgConnection::connect_with(&admin)
        .await
        .map_err(|e| explain_connect(&where_, &e))?;
    let template = format!("testdb_{key}_template");
    // One round trip, in the common case that the template exists. The
    // first statement: whether it is ready; whether we are alone (a new run,
    // which may drop what failed tests kept); our share of the run; and our
    // share of the template, so that no sweep drops it from under us.
    // (Columns, not one AND: an AND may skip what follows a false.) The
    // share may have waited for a sweep that held the template and dropped
    // it, and the first statement still saw the template; so the second
    // statement, which sees what is there now, checks that we hold a share
    // of a finished template.
    let first = format!(
        "SELECT (SELECT datistemplate FROM pg_database \
                 WHERE datname = '{template}'), \
                pg_try_advisory_lock({RUN_KEY}), \
                pg_advisory_lock_shared({RUN_KEY})::text, \
                ({}), \
                current_setting('fsync') = 'off' \
                  AND current_setting('server_version_num')::int >= 150000; \
         {}",
        share_template_sql(&template),
        holds_share_sql(&template),
    );
    let rows = owner
        .fetch_all(first.as_str())
        .await
        .map_err(|e| format!("could not take testdb's locks: {e}"))?;
    let (Some(row), Some(share)) = (rows.first(), rows.get(1)) else {
        return Err("the server answered set-up with too few rows".into());
    };
    let (mut ready, alone): (Option<bool>, bool) = (row.get(0), row.get(1));
    let mut held: bool = share.get(0);
    let _ = STRATEGY.set(match row.get(4) {
        true => Strategy::FileCopy,
        false => Strategy::Default,
    });
    // If there is no finished template whose share we hold, make it (or
    // wait for its builder), share it, and look again.
    let mut tries = 0;
    while !(ready == Some(true) && held) {
        tries += 1;
        if tries > 5 {
            return Err(format!(
                "the template {template} disappeared {tries} times while \
                 this process set up; is another program dropping \
                 databases named testdb_*?"
            ));
        }
        ensure_template(&mut owner, &admin, migrator, &template, &where_)
            .await?;
        owner
            .execute(share_template_sql(&template).as_str())
            .await
            .map_err(|e| e.to_string())?;
        ready = Some(true);
        held = sqlx::query_scalar(&holds_share_sql(&template))
            .fetch_one(&mut owner)
            .await
            .map_err(|e| format!("could not check the template: {e}"))?;
    }
    let kept_dir = match server {
        Server::Throwaway(cluster) => Some(cluster.kept_dir()),
        Server::External { .. } => None,
    };
    let makers = PgPoolOptions::new()
        .max_connections(CLONE_MAKERS)
        .connect_lazy_with(admin.clone());
    Ok(Shared {
        owner: Mutex::new(owner),
        makers,
        admin,
        key,
        template,
        kept_dir,
        local,
        alone,
    })
}

/// Takes this session's share of the template `name`'s owner lock, waiting
/// while someone holds it exclusively (a sweep that is dropping it).
fn share_template_sql(name: &str) -> String {
    format!(
        "SELECT pg_advisory_lock_shared({} | oid::int8)::text \
         FROM pg_database WHERE datname = '{name}'",
        LOCK_CLASS << 32
    )
}

/// Whether this session holds a share of the finished template `name` (of
/// the database by that name now, not of one a sweep dropped).
fn holds_share_sql(name: &str) -> String {
    format!(
        "SELECT EXISTS (SELECT 1 FROM pg_database d JOIN pg_locks l \
           ON l.locktype = 'advisory' AND l.classid = {LOCK_CLASS}::oid \
          AND l.objid = d.oid AND l.objsubid = 1 \
          AND l.pid = pg_backend_pid() AND l.granted \
         WHERE d.datname = '{name}' AND d.datistemplate)"
    )
}

/// The names testdb makes, and only those: a test may create databases of
/// its own named after its database (`<name>_template`), and those are
/// its business, not the sweep's.
const OUR_NAMES: &str = "^testdb_[0-9a-f]{12}_([0-9a-f]{16}|template)$";

/// The names of the clones whose owner is a file (see `local`).
const LOCAL_NAMES: &str = "^testdb_[0-9a-f]{12}_local_[0-9a-f]{16}$";

/// The names of clones of the template for `key`.
fn clone_pattern(key: &str) -> String {
    format!("^testdb_{key}_[0-9a-f]{{16}}$")
}

/// A short, stable name for this set of migrations: the same files give the
/// same template on every run and in every process.
fn migrations_key(migrator: &Migrator) -> String {
    let mut hash = Sha256::new();
    for migration in migrator.iter() {
        hash.update(migration.version.to_le_bytes());
        hash.update(migration.description.as_bytes());
        hash.update(&migration.checksum);
    }
    hash.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `SELECT f($1)` for the advisory-lock functions, which all take a key.
async fn query_bool(
    conn: &mut PgConnection,
    function: &str,
    key: i64,
) -> Result<bool, String> {
    let sql = format!("SELECT {function}($1)::text = 'true'");
    sqlx::query_scalar(&sql)
        .bind(key)
        .fetch_one(conn)
        .await
        .map_err(|e| format!("{function} failed: {e}"))
}

/// Makes the template for these migrations unless it exists. One process
/// builds it while the others wait on `BUILD_KEY`.
async fn ensure_template(
    owner: &mut PgConnection,
    admin: &PgConnectOptions,
    migrator: &Migrator,
    template: &str,
    where_: &str,
) -> Result<(), String> {
    let is_ready = async |owner: &mut PgConnection| {
        sqlx::query_scalar::<_, bool>(
            "SELECT datistemplate FROM pg_database WHERE datname = $1",
        )
        .bind(template)
        .fetch_optional(owner)
        .await
        .map_err(|e| e.to_string())
    };
    if is_ready(owner).await? != Some(true) {
        query_bool(owner, "pg_advisory_lock", BUILD_KEY).await?;
        let built = match is_ready(owner).await? {
            Some(true) => Ok(()),
            half_built => {
                build_template(
                    owner,
                    admin,
                    migrator,
                    template,
                    where_,
                    half_built.is_some(),
                )
                .await
            }
        };
        query_bool(owner, "pg_advisory_unlock", BUILD_KEY).await?;
        built?;
    }
    Ok(())
}

async fn build_template(
    owner: &mut PgConnection,
    admin: &PgConnectOptions,
    migrator: &Migrator,
    template: &str,
    where_: &str,
    half_built: bool,
) -> Result<(), String> {
    if half_built {
        // A builder died half-way (we hold the build lock, so it's not
        // running any more): start again.
        owner
            .execute(format!("DROP DATABASE {template} WITH (FORCE)").as_str())
            .await
            .map_err(|e| e.to_string())?;
    }
    owner
        .execute(format!("CREATE DATABASE {template}").as_str())
        .await
        .map_err(|e| explain_create(where_, &e))?;
    // Our share from the start: a sweep drops only what nobody holds.
    owner
        .execute(share_template_sql(template).as_str())
        .await
        .map_err(|e| e.to_string())?;
    // One connection, closed before the first clone: PostgreSQL refuses to
    // copy a template while anyone is connected to it.
    let mut conn =
        PgConnection::connect_with(&admin.clone().database(template))
            .await
            .map_err(|e| format!("could not connect to {template}: {e}"))?;
    let migrated = migrator.run(&mut conn).await;
    conn.close().await.map_err(|e| e.to_string())?;
    if let Err(error) = migrated {
        // Not left half-migrated for the next run to trip over.
        let drop = format!("DROP DATABASE {template} WITH (FORCE)");
        let _ = owner.execute(drop.as_str()).await;
        return Err(explain_migration(migrator, error));
    }
    // From now on nobody may connect to it, so no stray session can block a
    // clone; `IS_TEMPLATE` also marks it finished.
    owner
        .execute(
            format!(
                "ALTER DATABASE {template} \
                 WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
            )
            .as_str(),
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Claims a clean clone from the shared stock, if there is one, in one
/// round trip: a fresh test process waits for this. For each candidate, take
/// its owner lock; then check that it is still clean (its last owner may
/// have used it and died since the list) and mark it `used` before any test
/// can write to it, so that if this process dies it is dropped, never handed
/// out again.
async fn claim_one(shared: &Shared) -> Result<Option<String>, String> {
    if let Some(clones) = &shared.local {
        return Ok(clones.claim().map(keep_claim));
    }
    // Plain SQL text, no bound parameters: every value in it is ours (names
    // we made, numbers), and the whole claim is one message. The block
    // leaves the name it claimed in a setting of this session.
    let claim = format!(
        "DO $$ DECLARE d record; BEGIN \
           PERFORM set_config('testdb.claimed', '', false); \
           FOR d IN SELECT datname, oid::int8 AS oid FROM pg_database \
             WHERE datname ~ '{pattern}' \
               AND shobj_description(oid, 'pg_database') IS NULL \
             ORDER BY random() LIMIT 8 \
           LOOP \
             CONTINUE WHEN NOT pg_try_advisory_lock({class} | d.oid); \
             IF shobj_description(d.oid::oid, 'pg_database') IS NULL THEN \
               EXECUTE format('COMMENT ON DATABASE %I IS ''used''', \
                              d.datname); \
               PERFORM set_config('testdb.claimed', d.datname, false); \
               RETURN; \
             END IF; \
             PERFORM pg_advisory_unlock({class} | d.oid); \
           END LOOP; \
         END $$; \
         SELECT current_setting('testdb.claimed')",
        pattern = clone_pattern(&shared.key),
        class = LOCK_CLASS << 32,
    );
    let claimed: String = {
        let mut owner = shared.owner.lock().await;
        if leaving() {
            return Ok(None); // the exit has counted our claims already
        }
        owner
            .fetch_one(claim.as_str())
            .await
            .map_err(|e| format!("could not claim a clone: {e}"))?
            .get(0)
    };
    Ok((!claimed.is_empty()).then_some(claimed))
}

/// Adds one clean clone to the shared stock.
async fn make_clone(shared: &Shared) -> Result<(), String> {
    // On our own cluster, its file first: locked and `making`, so that if
    // we die half-way a sweep drops what we made.
    let file = shared.local.as_ref().map(Clones::reserve).transpose()?;
    let name = match &file {
        Some(file) => file.name.clone(),
        None => format!("testdb_{}_{:016x}", shared.key, random_u64()),
    };
    let made = shared
        .makers
        .execute(
            format!(
                "CREATE DATABASE {name} TEMPLATE {} {}",
                shared.template,
                clone_strategy()
            )
            .as_str(),
        )
        .await
        .map(drop)
        .map_err(|e| format!("could not clone the template: {e}"));
    match (file, &made) {
        (Some(file), Ok(())) => file.set("ready"), // and unlocked: in stock
        (Some(file), Err(_)) => file.remove(),
        (None, _) => {}
    }
    made
}

/// A random number from std alone: `RandomState` is seeded by the OS.
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

// ANCHOR: strategy -- WAL_LOG on a real server, FILE_COPY without fsync
/// How `CREATE DATABASE` copies the template (PostgreSQL 15 and later).
///
/// `WAL_LOG`, the default since 15, copies page by page through the
/// write-ahead log and writes no checkpoint. `FILE_COPY` copies the files,
/// which is less work for a small template, but it forces a checkpoint
/// before and after the copy: on a server that syncs to disk, that flushes
/// every dirty page of every database, for every clone. So: the file copy
/// only on our own cluster, which runs with `fsync=off`; the default
/// everywhere else (a `DATABASE_URL` server is someone else's).
fn clone_strategy() -> &'static str {
    match STRATEGY.get() {
        Some(Strategy::FileCopy) => "STRATEGY FILE_COPY",
        _ => "",
    }
}
// ANCHOR_END: strategy

enum Strategy {
    FileCopy,
    Default,
}
static STRATEGY: OnceLock<Strategy> = OnceLock::new();

/// Held while this process makes clones. A process that exits waits for
/// it: a `CREATE DATABASE` it started would otherwise finish on the server
/// after the process has gone, and leave a clone nobody counts on.
static MAKING: Mutex<()> = Mutex::const_new(());

/// Set when the process exits: make and claim nothing more.
static LEAVING: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

fn leaving() -> bool {
    LEAVING.load(std::sync::atomic::Ordering::Acquire)
}

/// Keeps at least [`SHARED_STOCK`] clean clones on the server, making up
/// to [`CLONE_MAKERS`] at a time. One top-up per process runs at a time;
/// a claim while it runs needs none of its own.
async fn top_up(shared: &'static Shared) {
    let Ok(_making) = MAKING.try_lock() else {
        return;
    };
    while !leaving() {
        let clean: i64 = match &shared.local {
            Some(clones) => clones.ready() as i64,
            None => sqlx::query_scalar(
                "SELECT count(*) FROM pg_database WHERE datname ~ $1 \
                   AND shobj_description(oid, 'pg_database') IS NULL",
            )
            .bind(clone_pattern(&shared.key))
            .fetch_one(&shared.makers)
            .await
            .unwrap_or(SHARED_STOCK),
        };
        let made = match SHARED_STOCK - clean {
            ..=0 => break,
            1 => make_clone(shared).await,
            _ => {
                let (a, b) =
                    tokio::join!(make_clone(shared), make_clone(shared));
                a.and(b)
            }
        };
        if let Err(why) = made {
            eprintln!("testdb: {}", shared.explain(why));
            break;
        }
    }
}

/// The process is exiting (see [`Stock::leave`]). On a server others may
/// share (`DATABASE_URL`), every process drops the clones it claimed for
/// tests that never came, and the last process of a run drops the rest of
/// what the run made: the clean stock, and what dead processes left. Only
/// the template stays, for the next run with these migrations; and the
/// databases failed tests kept, for the reader to open.
async fn leave_when_asked(
    shared: &'static Shared,
    mut leave: mpsc::UnboundedReceiver<std::sync::mpsc::Sender<()>>,
) {
    let Some(done) = leave.recv().await else {
        return;
    };
    LEAVING.store(true, std::sync::atomic::Ordering::Release);
    let _making = MAKING.lock().await; // a clone being made lands first
    let _swept = SWEEPING.lock().await; // and the first sweep ends
    if shared.local.is_some() {
        // Our own cluster: its stock stays for the next process, and the
        // cluster goes, whole, after its last user.
        let _ = done.send(());
        return;
    }
    // Ours first, last process or not: nobody else may drop a clone whose
    // owner lock we hold, and we may exit at the same moment as the last.
    let unused: Vec<(String, i64)> = sqlx::query_as(
        "SELECT d.datname::text, d.oid::int8 FROM pg_database d \
         JOIN pg_locks l ON l.locktype = 'advisory' AND l.objsubid = 1 \
           AND l.classid = $2::oid AND l.objid = d.oid \
           AND l.pid = pg_backend_pid() AND l.granted \
         WHERE d.datname ~ $1",
    )
    .bind(clone_pattern(&shared.key))
    .bind(LOCK_CLASS)
    .fetch_all(&mut *shared.owner.lock().await)
    .await
    .unwrap_or_default();
    for (name, oid) in unused {
        drop_locked(shared, &name, oid, false).await;
    }
    // Every running process holds RUN_KEY shared; taking it exclusively
    // succeeds only when no other one does, and keeps a new one waiting in
    // its set-up until we are done. Our share goes first: of two processes
    // exiting at once, each would otherwise see the other, and neither
    // would clean up; this way the second to let go finds nobody left.
    let alone = {
        let mut owner = shared.owner.lock().await;
        let _ =
            query_bool(&mut owner, "pg_advisory_unlock_shared", RUN_KEY).await;
        query_bool(&mut owner, "pg_try_advisory_lock", RUN_KEY).await
    };
    if alone == Ok(true) {
        sweep(shared, false).await;
        let ours: Vec<(String, i64)> = sqlx::query_as(
            "SELECT datname::text, oid::int8 FROM pg_database \
             WHERE datname ~ $1 \
               AND coalesce(shobj_description(oid, 'pg_database'), '') \
                   NOT LIKE 'kept%'",
        )
        .bind(clone_pattern(&shared.key))
        .fetch_all(&shared.makers)
        .await
        .unwrap_or_default();
        for (name, oid) in ours {
            // A lock we can take: a clean clone, or one a dead process
            // claimed.
            let locked = query_bool(
                &mut *shared.owner.lock().await,
                "pg_try_advisory_lock",
                lock_key(oid),
            )
            .await;
            if locked == Ok(true) {
                drop_locked(shared, &name, oid, false).await;
            }
        }
    }
    let _ = done.send(());
}

/// Drops (or keeps) the databases tests are done with, then lets them go.
async fn finish_used(
    shared: &'static Shared,
    mut finish: mpsc::UnboundedReceiver<Finish>,
) {
    while let Some(request) = finish.recv().await {
        tokio::spawn(finish_one(shared, request));
    }
}

/// Drops or keeps one database over a maker connection, so the admin
/// session stays free for claims; then gives up its owner lock.
async fn finish_one(shared: &'static Shared, request: Finish) {
    FINISHED.notify_one();
    let Finish { name, keep, done } = request;
    let claim = take_claim(&name);
    let oid: Option<i64> = match claim {
        Some(_) => None, // a local claim: no advisory lock to let go
        None => sqlx::query_scalar(
            "SELECT oid::int8 FROM pg_database WHERE datname = $1",
        )
        .bind(&name)
        .fetch_optional(&shared.makers)
        .await
        .unwrap_or(None),
    };
    let kept = format!("kept {}", this_run());
    // While a sweep forgets kept files, no new one is written (it would
    // find the file, but not yet the database's comment).
    let _keeping = match keep {
        true => Some(KEEPING.lock().await),
        false => None,
    };
    let sql = if keep {
        if let Some(dir) = &shared.kept_dir {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join(&name), "");
        }
        format!("COMMENT ON DATABASE {name} IS '{kept}'")
    } else {
        // FORCE: the test's pool may still be closing its connections.
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    };
    let finished = shared.makers.execute(sql.as_str()).await;
    if let Err(error) = &finished {
        eprintln!("testdb: could not finish {name}: {error}");
    }
    match claim {
        Some(claim) if keep => claim.set(&kept),
        Some(claim) if finished.is_ok() => claim.remove(),
        Some(_) => {} // still `used`, and unlocked now: a sweep drops it
        None => {}
    }
    if let Some(oid) = oid {
        let mut owner = shared.owner.lock().await;
        let _ =
            query_bool(&mut owner, "pg_advisory_unlock", lock_key(oid)).await;
    }
    let _ = done.send(());
}

/// Drops what no live process owns: used clones whose process is gone,
/// templates of other migrations nobody uses, and, when no other process
/// runs (`alone`), the databases other runs' failed tests kept.
async fn sweep(shared: &Shared, alone: bool) {
    let rows: Vec<(String, i64, bool, Option<String>)> = sqlx::query_as(
        "SELECT datname::text, oid::int8, datistemplate, \
                shobj_description(oid, 'pg_database') \
         FROM pg_database d WHERE datname ~ $2 \
           AND NOT EXISTS (SELECT 1 FROM pg_locks l \
             WHERE l.locktype = 'advisory' AND l.objsubid = 1 \
               AND l.classid = $1::oid AND l.objid = d.oid) \
         ORDER BY datistemplate DESC",
    )
    // Locked by anyone, in any database, is owned: advisory locks belong to
    // the database a session is in, and a run with another DATABASE_URL
    // database holds its locks there. (Our own, too: a session can always
    // take its own lock again.)
    .bind(LOCK_CLASS)
    .bind(OUR_NAMES)
    .fetch_all(&mut *shared.owner.lock().await)
    .await
    .unwrap_or_default();
    // Templates first: a clean clone is stock while its template stands.
    let mut templates = vec![format!("testdb_{}", shared.key)];
    for (name, oid, is_template, comment) in rows {
        let prefix = name.rsplit_once('_').map_or("", |(key, _)| key);
        // `kept <run>`; a plain `kept` (from an older testdb) has no run.
        let kept_by = comment
            .as_deref()
            .and_then(|c| c.strip_prefix("kept"))
            .map(str::trim_start);
        if name == shared.template
            || (comment.is_none() && templates.iter().any(|t| t == prefix))
            || kept_by.is_some_and(|run| !alone || run == this_run())
        {
            continue;
        }
        if !is_template && name.ends_with("_template") {
            // Half-built. A live builder holds BUILD_KEY; only a dead one's
            // leftover may go.
            let mut owner = shared.owner.lock().await;
            let free =
                query_bool(&mut owner, "pg_try_advisory_lock", BUILD_KEY).await;
            if free != Ok(true) {
                continue;
            }
            let _ =
                query_bool(&mut owner, "pg_advisory_unlock", BUILD_KEY).await;
        }
        let locked = query_bool(
            &mut *shared.owner.lock().await,
            "pg_try_advisory_lock",
            lock_key(oid),
        )
        .await;
        if locked != Ok(true) {
            if is_template {
                templates.push(prefix.to_string()); // in use: keep its stock
            }
            continue; // its owner is alive
        }
        drop_locked(shared, &name, oid, is_template).await;
    }
    if let Some(clones) = &shared.local {
        for orphan in clones.orphans(alone, this_run()) {
            drop_local(shared, orphan).await;
        }
        // A clone's file is made before its database and removed after it,
        // so a local clone without a file is nobody's: a process killed
        // while the server made its clone, which landed after a sweep had
        // removed the file.
        let local: Vec<String> = sqlx::query_scalar(
            "SELECT datname::text FROM pg_database WHERE datname ~ $1",
        )
        .bind(LOCAL_NAMES)
        .fetch_all(&shared.makers)
        .await
        .unwrap_or_default();
        for name in local.iter().filter(|name| !clones.has_file(name)) {
            let _ = drop_database(shared, name).await;
        }
    }
    if alone {
        forget_kept_files(shared).await;
    }
}

/// Drops a local clone whose file we have locked, then the file.
async fn drop_local(shared: &Shared, file: Claim) {
    if drop_database(shared, &file.name).await.is_ok() {
        if let Some(dir) = &shared.kept_dir {
            let _ = std::fs::remove_file(dir.join(&file.name));
        }
        file.remove();
    }
}

/// Drops `name` over a maker connection, so the admin session stays free
/// for claims. FORCE: its last user's connections may still be closing.
async fn drop_database(shared: &Shared, name: &str) -> Result<(), String> {
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    match shared.makers.execute(sql.as_str()).await {
        Ok(_) => Ok(()),
        Err(e) => Err(format!("could not drop {name}: {e}")),
    }
}

/// Held while a database is kept, and while a sweep forgets kept files.
static KEEPING: Mutex<()> = Mutex::const_new(());

/// Which run this process is part of. A failed test's database is kept
/// until the next run, and a later process of the same run (the next test
/// binary of one `cargo test`, the next test of one `cargo nextest run`)
/// must leave it alone even when it finds itself the only one running.
fn this_run() -> &'static str {
    static RUN: OnceLock<String> = OnceLock::new();
    RUN.get_or_init(|| {
        let run = match std::env::var("NEXTEST_RUN_ID") {
            Ok(id) => id,
            // `cargo test` runs each test binary as its child, in turn.
            Err(_) if std::env::var_os("CARGO").is_some() => {
                format!("cargo-{}", std::os::unix::process::parent_id())
            }
            Err(_) => format!("process-{:016x}", random_u64()),
        };
        // It goes into a comment's SQL text: nothing but safe characters.
        run.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect()
    })
}

/// Drops a database whose owner lock we have just taken, then lets the lock
/// go. Over a maker connection: the admin session stays free for claims,
/// and our lock keeps everyone else off meanwhile.
async fn drop_locked(shared: &Shared, name: &str, oid: i64, template: bool) {
    if template {
        let sql = format!("ALTER DATABASE {name} IS_TEMPLATE false");
        let _ = shared.makers.execute(sql.as_str()).await;
    }
    let _ = drop_database(shared, name).await;
    if let Some(dir) = &shared.kept_dir {
        let _ = std::fs::remove_file(dir.join(name));
    }
    let mut owner = shared.owner.lock().await;
    let _ = query_bool(&mut owner, "pg_advisory_unlock", lock_key(oid)).await;
}

/// A new run: the files that tell the keeper to leave the cluster up must
/// name only databases still kept (a kept file whose database is gone
/// would keep the cluster up for nothing).
async fn forget_kept_files(shared: &Shared) {
    let Some(dir) = &shared.kept_dir else { return };
    let _keeping = KEEPING.lock().await;
    let kept: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database \
         WHERE shobj_description(oid, 'pg_database') LIKE 'kept%'",
    )
    .fetch_all(&shared.makers)
    .await
    .unwrap_or_default();
    for file in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = file.file_name().to_string_lossy().into_owned();
        if !kept.contains(&name) {
            let _ = std::fs::remove_file(file.path());
        }
    }
}

// ANCHOR: connect_test_pool
/// The pool a test gets, with its first connection opened here, usually
/// `ahead` of the test: a new PostgreSQL connection starts a server
/// process, which costs a few milliseconds — most of what is left once the
/// clone exists. (A process's first clone on the throwaway cluster is
/// connected while its test waits: there is nothing to get ahead of.)
///
/// That connection belongs to this thread's runtime, which lives as long as
/// the process, so the test's runtime can use it (tokio wakes the test when
/// this thread's I/O driver sees data). Connections the test's pool opens
/// later belong to the test's runtime, and end with it.
async fn connect_test_pool(
    options: PgConnectOptions,
    ahead: bool,
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
        // A new server process answers its first statement slowly (it loads
        // the catalog entries every statement needs): ahead of the test, pay
        // that here too, on the connection itself (a statement on the pool
        // could open a second connection while the first is still being put
        // back). For a test that waits, it would be one more round trip.
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if ahead {
                    conn.execute("SELECT 1").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
}
// ANCHOR_END: connect_test_pool

/// `why`, or, when the cluster in `dir` is gone, that.
fn explain_gone(dir: &std::path::Path, why: &str) -> String {
    let intact = ["postmaster.pid", "PG_VERSION", "global/pg_control"]
        .iter()
        .all(|file| dir.join("data").join(file).exists());
    if intact {
        return why.to_string();
    }
    format!(
        "the throwaway cluster in {} was deleted or stopped while this test \
         process used it ({why}); leave it alone during a run (it goes by \
         itself) and run the tests again",
        dir.display()
    )
}

/// One line for a failed connection, with the fix when we know it.
fn explain_connect(where_: &str, error: &sqlx::Error) -> String {
    let code = error
        .as_database_error()
        .and_then(|e| e.code())
        .unwrap_or_default();
    if code == "53300" {
        return format!(
            "{where_} is full (max_connections reached: {error}); run fewer \
             tests at once (--test-threads), lower testdb's \
             CONNECTIONS_PER_TEST, or raise the server's max_connections"
        );
    }
    format!("could not connect to {where_}: {error}")
}

fn explain_create(where_: &str, error: &sqlx::Error) -> String {
    let code = error
        .as_database_error()
        .and_then(|e| e.code())
        .unwrap_or_default();
    if code == "42501" {
        return format!(
            "the user of {where_} may not create databases ({error}); \
             fix: ALTER ROLE <that user> CREATEDB, or use another user"
        );
    }
    format!("could not create a database on {where_}: {error}")
}

/// Names the migration that failed, by version and description.
fn explain_migration(migrator: &Migrator, error: MigrateError) -> String {
    if let MigrateError::ExecuteMigration(cause, version) = &error {
        let description = migrator
            .iter()
            .find(|m| m.version == *version)
            .map(|m| m.description.to_string())
            .unwrap_or_default();
        return format!(
            "migration {version} ({description}) failed in the template: \
             {cause}; fix that migration and run again"
        );
    }
    format!("the migrations failed in the template: {error}")
}
