//! The one task that owns testdb's state in a process, on a thread whose
//! runtime lives as long as the process (a test's runtime ends with its
//! test, and a connection made there would end with it). Tests reach it
//! through channels. Beside it: the dropper, so no test waits for a `DROP
//! DATABASE`, and, once the first test has its database, the sweep, the
//! makers (keep [`STOCK_CLONES`] on the server) and the claimer.

use std::{cell::Cell, cell::RefCell, collections::VecDeque, rc::Rc};
use std::{sync::Arc, sync::OnceLock, time::Duration};

use sqlx::{Executor, PgPool, migrate::Migrator, postgres as pg};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::{JoinHandle, spawn_local};

use crate::{names, owner, owner::Owner, server::Server};

/// Clean clones of a set of migrations kept on the server for any process.
const STOCK_CLONES: i64 = 4;

/// Makers per test process: two tests at once take clones faster than one
/// `CREATE DATABASE` after another makes them.
const MAKERS: usize = 2;

/// How long a claimer or maker waits for news before it looks again.
const RECHECK: Duration = Duration::from_millis(100);

/// Clones a `cargo test` process claims and connects before its tests ask;
/// none under nextest, where a process runs one test.
fn ready_clones() -> usize {
    let mode = std::env::var("NEXTEST_EXECUTION_MODE");
    if mode.as_deref() == Ok("process-per-test") {
        0
    } else {
        2
    }
}

/// A claimed, connected clone.
pub struct Ready {
    pub name: String,
    pub pool: PgPool,
    pub url: String,
    pub options: pg::PgConnectOptions,
}

enum Request {
    Take(&'static Migrator, oneshot::Sender<Result<Ready, String>>),
    Exit(std::sync::mpsc::Sender<()>),
}

/// For the dropper: a database a test finished with (and whether to keep
/// it), or "answer once everything before this is done".
enum Finished {
    Database(String, bool),
    Flush(oneshot::Sender<()>),
}

type Channels = (
    mpsc::UnboundedSender<Request>,
    mpsc::UnboundedSender<Finished>,
);

fn channels() -> &'static Channels {
    static CHANNELS: OnceLock<Channels> = OnceLock::new();
    CHANNELS.get_or_init(|| {
        let (requests, requests_rx) = mpsc::unbounded_channel();
        let (finished, finished_rx) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new().name("testdb".into());
        let spawned = thread.spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for testdb's thread");
            // Tasks stay on this thread: sqlx's futures need not be Send.
            let tasks = tokio::task::LocalSet::new();
            tasks.block_on(&runtime, serve(requests_rx, finished_rx));
        });
        spawned.expect("could not start testdb's thread");
        // SAFETY: `at_exit` is a plain function, alive as long as the process.
        unsafe { libc::atexit(at_exit) };
        (requests, finished)
    })
}

/// Asks for a database; waits past the bound of every wait inside.
pub async fn take(migrator: &'static Migrator) -> Result<Ready, String> {
    let (reply, answer) = oneshot::channel();
    let _ = channels().0.send(Request::Take(migrator, reply));
    let bound = crate::wait_bound() + Duration::from_secs(10);
    match tokio::time::timeout(bound, answer).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("testdb's thread has ended".into()),
        Err(_) => Err(format!(
            "no database after {} s; TESTDB_WAIT_SECS raises the bound",
            bound.as_secs()
        )),
    }
}

/// Hands a test's database to the dropper; does not wait.
pub fn finish(name: String, keep: bool) {
    let _ = channels().1.send(Finished::Database(name, keep));
}

/// At exit, for at most 5 s: ready clones go back to the stock, the makers
/// finish their clones, the dropper its queue.
extern "C" fn at_exit() {
    let (done, wait) = std::sync::mpsc::channel();
    if channels().0.send(Request::Exit(done)).is_ok() {
        let _ = wait.recv_timeout(Duration::from_secs(5));
    }
}

/// One set of migrations, as this process uses it.
struct Stock {
    migrator: &'static Migrator,
    owner: Owner,
    shared: Rc<Shared>,
    helpers: Vec<JoinHandle<()>>,
}

/// What the claimer and the makers share with the task.
#[derive(Default)]
struct Shared {
    /// Clones the claimer connected ahead: a test takes one with a `pop`.
    ready: RefCell<VecDeque<Ready>>,
    /// Wakes the claimer: a test took a ready clone, or a maker made one.
    claim_more: Notify,
    /// Wakes the makers: a clone left the stock.
    stock_taken: Notify,
    /// Set at exit: the claimer and the makers stop after what they do.
    stop: Cell<bool>,
}

async fn serve(
    mut requests: mpsc::UnboundedReceiver<Request>,
    finished: mpsc::UnboundedReceiver<Finished>,
) {
    let server = Server::find().map(Arc::new);
    if let Ok(server) = &server {
        spawn_local(dropper(server.clone(), finished));
    }
    let mut stock: Option<Result<Stock, String>> = None;
    while let Some(request) = requests.recv().await {
        let (migrator, reply) = match request {
            Request::Take(migrator, reply) => (migrator, reply),
            Request::Exit(done) => {
                if let Some(Ok(stock)) = stock {
                    leave(stock).await;
                }
                let _ = done.send(());
                return;
            }
        };
        let first = stock.is_none();
        if first {
            stock = Some(start(&server, migrator).await);
        }
        let stock = stock.as_mut().expect("started");
        let _ = reply.send(take_one(stock, migrator).await);
        if let (true, Ok(stock)) = (first, stock) {
            start_helpers(stock); // off the first test's path
        }
    }
}

async fn start(
    server: &Result<Arc<Server>, String>,
    migrator: &'static Migrator,
) -> Result<Stock, String> {
    let owner = Owner::start(server.clone()?, migrator).await?;
    let (shared, helpers) = (Rc::default(), vec![]);
    Ok(Stock {
        migrator,
        owner,
        shared,
        helpers,
    })
}

async fn take_one(
    stock: &mut Result<Stock, String>,
    migrator: &'static Migrator,
) -> Result<Ready, String> {
    let stock = stock.as_mut().map_err(|why| why.clone())?;
    if names::migrations_hash(migrator) != stock.owner.hash {
        return Err("one test process serves one set of migrations; put \
                    tests with other migrations in another test binary"
            .into());
    }
    stock.shared.claim_more.notify_one();
    if let Some(ready) = stock.shared.ready.borrow_mut().pop_front() {
        return Ok(ready);
    }
    let name = stock.owner.claim(migrator).await?;
    stock.shared.stock_taken.notify_waiters();
    connect(&stock.owner, name, false).await
}

/// Once per process, after its first test has its database: the sweep,
/// the makers and, under `cargo test`, the claimer. Each is an owner of its
/// own: what it has half made carries its own key.
fn start_helpers(stock: &mut Stock) {
    let (server, migrator) = (stock.owner.server.clone(), stock.migrator);
    let sweep = owner::sweep(server.clone(), stock.owner.hash.clone());
    stock.helpers.push(spawn_local(sweep));
    for _ in 0..MAKERS {
        let (server, shared) = (server.clone(), stock.shared.clone());
        stock.helpers.push(spawn_local(async move {
            let Ok(mut maker) = Owner::start(server, migrator).await else {
                return;
            };
            while !shared.stop.get() {
                let Ok(n) = maker.stock_count().await else {
                    return;
                };
                if n >= STOCK_CLONES {
                    // Full: wait for a claim (or look again in a while).
                    let taken = shared.stock_taken.notified();
                    let _ = tokio::time::timeout(RECHECK, taken).await;
                } else if maker.make_stock().await.is_ok() {
                    shared.claim_more.notify_one();
                } else {
                    return;
                }
            }
        }));
    }
    if ready_clones() > 0 {
        let shared = stock.shared.clone();
        stock.helpers.push(spawn_local(async move {
            let Ok(mut claimer) = Owner::start(server, migrator).await else {
                return;
            };
            while !shared.stop.get() {
                while shared.ready.borrow().len() < ready_clones() {
                    // Only from the stock: if it is empty, the makers are
                    // at work, and the next test makes its own.
                    let Ok(Some(name)) = claimer.claim_from_stock().await
                    else {
                        break;
                    };
                    let Ok(clone) = connect(&claimer, name, true).await else {
                        break;
                    };
                    shared.ready.borrow_mut().push_back(clone);
                    shared.stock_taken.notify_waiters();
                }
                let more = shared.claim_more.notified();
                let _ = tokio::time::timeout(RECHECK, more).await;
            }
        }));
    }
}

// ANCHOR: connect_test_pool -- a test's pool, connected before it asks
/// The test's pool on its clone. `ahead`: connected before a test asks,
/// so the first statement's cost (a new server process reads the catalog)
/// is paid here, not by the test.
async fn connect(
    owner: &Owner,
    name: String,
    ahead: bool,
) -> Result<Ready, String> {
    let (server, options) = (&owner.server, owner.server.options(Some(&name)));
    let pool = pg::PgPoolOptions::new()
        .max_connections(crate::CONNECTIONS_PER_TEST)
        // No idle or lifetime limits: each starts a housekeeping task, and
        // a test's pool lives for seconds. No ping before each use: one
        // more round trip on the test's path.
        .idle_timeout(None)
        .max_lifetime(None)
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if ahead {
                    conn.execute("SELECT 1").await?;
                }
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await
        .map_err(|e| {
            server.explain_connect(&format!("the clone {name}"), &e)
        })?;
    let url = server.url(Some(&name));
    Ok(Ready {
        name,
        pool,
        url,
        options,
    })
}
// ANCHOR_END: connect_test_pool

/// Drops (or keeps) what tests finished with, in order, on one session.
async fn dropper(
    server: Arc<Server>,
    mut finished: mpsc::UnboundedReceiver<Finished>,
) {
    let mut conn = None;
    while let Some(next) = finished.recv().await {
        let (name, keep) = match next {
            Finished::Database(name, keep) => (name, keep),
            Finished::Flush(done) => {
                let _ = done.send(());
                continue;
            }
        };
        if conn.is_none() {
            conn = owner::connect(&server, None).await.ok();
        }
        let Some(conn) = conn.as_mut() else { continue };
        match keep {
            true => owner::keep(conn, &server, &name).await,
            false => owner::drop_own(conn, &name).await,
        }
    }
}

/// Stops the helpers, gives the ready clones back to the stock (or to the
/// dropper, when the stock is full) and waits for the dropper's queue.
async fn leave(stock: Stock) {
    stock.shared.stop.set(true);
    stock.shared.claim_more.notify_one();
    stock.shared.stock_taken.notify_waiters();
    for helper in stock.helpers {
        let _ = tokio::time::timeout(Duration::from_secs(2), helper).await;
    }
    let (mut owner, ready) = (stock.owner, stock.shared.ready.take());
    for clone in ready {
        clone.pool.close().await;
        let count = owner.stock_count().await;
        let full = count.map_or(true, |n| n >= STOCK_CLONES);
        if full || owner.give_to_stock(&clone.name).await.is_err() {
            finish(clone.name, false);
        }
    }
    let (done, flushed) = oneshot::channel();
    let _ = channels().1.send(Finished::Flush(done));
    let _ = tokio::time::timeout(Duration::from_secs(2), flushed).await;
}
