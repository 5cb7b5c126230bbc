//! The one task that owns testdb's state in a process, on a thread whose
//! runtime lives as long as the process (a test's runtime ends with its
//! test, and a connection made there would end with it). Tests pop a clone
//! it connected ahead, or ask it for one. Once the first test has its
//! database, [`WORKERS`] workers drop what tests finished with and keep
//! [`STOCK_CLONES`] clean clones on the server, and a sweep runs once.

use std::sync::{Arc, Mutex, OnceLock, mpsc as std_mpsc};
use std::{cell::Cell, cell::RefCell, collections::VecDeque, rc::Rc};
use std::{mem::ManuallyDrop, time::Duration};

use sqlx::{Executor, migrate::Migrator, postgres as pg};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::{task::spawn_local, time::timeout};

use crate::{TestDatabase, names, owner, owner::Owner, server::Server};

/// Clean clones of a set of migrations kept on the server for any process.
const STOCK_CLONES: i64 = 4;

/// Workers per process: two make clones faster than one, as part of a
/// `CREATE DATABASE` is spent waiting on the server.
const WORKERS: usize = 2;

/// How long the task or a worker waits for news before it looks again.
const RECHECK: Duration = Duration::from_millis(100);

/// Clones a `cargo test` process keeps claimed and connected before its
/// tests ask: one per test thread, and one more. None under nextest, where
/// a process runs one test.
fn ahead() -> usize {
    let mode = std::env::var("NEXTEST_EXECUTION_MODE");
    if mode.is_ok_and(|m| m == "process-per-test") {
        0
    } else {
        3
    }
}

type Reply = oneshot::Sender<Result<TestDatabase, String>>;

enum Msg {
    /// A test found nothing ready and waits for this answer.
    Want(Reply),
    /// Look again: a test took a ready clone, or a worker made one.
    Wake,
    /// A test is done with its database: keep it (it failed) or drop it.
    Finished(String, bool),
    Exit(std_mpsc::Sender<()>),
}

struct Harness {
    hash: String,
    messages: mpsc::UnboundedSender<Msg>,
    /// Clones connected ahead; locked only for a push or a pop, so a test
    /// takes one without waiting for the task's thread.
    ready: Arc<Mutex<VecDeque<TestDatabase>>>,
}

static HARNESS: OnceLock<Harness> = OnceLock::new();

fn harness(migrator: &'static Migrator) -> &'static Harness {
    HARNESS.get_or_init(|| {
        let (messages, inbox) = mpsc::unbounded_channel();
        let ready = Arc::default();
        let (to_self, shared) = (messages.clone(), Arc::clone(&ready));
        let thread = std::thread::Builder::new().name("testdb".into());
        let spawned = thread.spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for testdb's thread");
            // Tasks stay on this thread: sqlx's futures need not be Send.
            let task = run(migrator, inbox, to_self, shared);
            tokio::task::LocalSet::new().block_on(&runtime, task);
        });
        spawned.expect("could not start testdb's thread");
        // SAFETY: `at_exit` is a plain function, alive as long as the process.
        unsafe { libc::atexit(at_exit) };
        let hash = names::migrations_hash(migrator);
        Harness {
            hash,
            messages,
            ready,
        }
    })
}

/// A database for a test: a ready one, or one the task claims now.
pub async fn take(migrator: &'static Migrator) -> Result<TestDatabase, String> {
    let harness = harness(migrator);
    if names::migrations_hash(migrator) != harness.hash {
        return Err("one test process serves one set of migrations; put \
                    tests with other migrations in another test binary"
            .into());
    }
    let popped = harness.ready.lock().unwrap().pop_front();
    if let Some(db) = popped {
        let _ = harness.messages.send(Msg::Wake);
        return Ok(db);
    }
    let (reply, answer) = oneshot::channel();
    let _ = harness.messages.send(Msg::Want(reply));
    // Past the bound of every wait inside.
    let bound = crate::wait_bound() + Duration::from_secs(10);
    match timeout(bound, answer).await {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("testdb's thread has ended".into()),
        Err(_) => Err(format!(
            "no database after {} s; TESTDB_WAIT_SECS raises the bound",
            bound.as_secs()
        )),
    }
}

/// Hands a test's database to the workers; does not wait.
pub fn finish(name: String, keep: bool) {
    if let Some(harness) = HARNESS.get() {
        let _ = harness.messages.send(Msg::Finished(name, keep));
    }
}

/// At exit, for at most 5 s: ready clones go back to the stock, the
/// workers finish their queue. What is left then, the next sweep drops.
extern "C" fn at_exit() {
    let (done, wait) = std_mpsc::channel();
    let sent = HARNESS.get().map(|h| h.messages.send(Msg::Exit(done)));
    if let Some(Ok(())) = sent {
        let _ = wait.recv_timeout(Duration::from_secs(5));
    }
}

/// What the task shares with its workers.
#[derive(Default)]
struct Work {
    /// Databases tests finished with, and whether to keep each.
    finished: RefCell<VecDeque<(String, bool)>>,
    /// Wakes the workers: a database finished, or a clone left the stock.
    news: Notify,
    /// Set at exit: workers stop once the queue is empty.
    stop: Cell<bool>,
}

async fn run(
    migrator: &'static Migrator,
    mut inbox: mpsc::UnboundedReceiver<Msg>,
    messages: mpsc::UnboundedSender<Msg>,
    ready: Arc<Mutex<VecDeque<TestDatabase>>>,
) {
    let server = Server::find().map(Arc::new);
    let mut owner = match &server {
        Ok(server) => Owner::start(server.clone(), migrator).await,
        Err(why) => Err(why.clone()),
    };
    let (work, mut workers) = (Rc::new(Work::default()), vec![]);
    loop {
        let short = owner.is_ok() && ready.lock().unwrap().len() < ahead();
        let wait = if short { RECHECK } else { Duration::MAX };
        match timeout(wait, inbox.recv()).await {
            Ok(Some(Msg::Want(reply))) => {
                let claimed = match &mut owner {
                    Ok(owner) => claim(owner, true, &work).await,
                    Err(why) => Err(why.clone()),
                };
                // A test that stopped waiting: its clone is dropped.
                let _ = reply.send(claimed.map(|db| db.expect("made")));
            }
            Ok(Some(Msg::Finished(name, keep))) => {
                work.finished.borrow_mut().push_back((name, keep));
                work.news.notify_waiters();
            }
            Ok(Some(Msg::Exit(done))) => {
                if let Ok(owner) = owner {
                    leave(owner, &ready, &work, workers).await;
                }
                let _ = done.send(());
                return;
            }
            Ok(None) => return,
            Ok(Some(Msg::Wake)) | Err(_) => {}
        }
        let Ok(owner) = &mut owner else { continue };
        if workers.is_empty() {
            // Off the first test's path: it has its database by now.
            let sweep = owner::sweep(owner.server.clone(), owner.hash.clone());
            workers.push(spawn_local(sweep));
            for _ in 0..WORKERS {
                let (server, work) = (owner.server.clone(), work.clone());
                let worker = worker(server, migrator, work, messages.clone());
                workers.push(spawn_local(worker));
            }
        }
        while ready.lock().unwrap().len() < ahead() {
            // Only from the stock: if it is empty, the workers are at work.
            match claim(owner, false, &work).await {
                Ok(Some(db)) => ready.lock().unwrap().push_back(db),
                _ => break,
            }
        }
    }
}

/// A clone renamed to one of `owner`'s names, with the test's pool on it;
/// from the stock, or, when it is empty and `make` says so, made now.
/// Claimed ahead (not `make`), its pool runs a first statement before any
/// test asks: a new server process reads the catalog then.
async fn claim(
    owner: &mut Owner,
    make: bool,
    work: &Work,
) -> Result<Option<TestDatabase>, String> {
    let name = match owner.claim_from_stock().await? {
        Some(name) => {
            work.news.notify_waiters(); // one fewer in the stock
            name
        }
        None if make => owner.make_clone().await?,
        None => return Ok(None),
    };
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
                if !make {
                    conn.execute("SELECT 1").await?;
                }
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await
        .map_err(|e| server.explain(&e))?;
    let url = server.url(Some(&name));
    Ok(Some(TestDatabase {
        pool,
        name,
        url,
        options,
    }))
}

/// Drops (or keeps) what tests finished with, first; otherwise keeps the
/// stock full. Each worker is an owner of its own: what it has half made
/// carries its own key.
async fn worker(
    server: Arc<Server>,
    migrator: &'static Migrator,
    work: Rc<Work>,
    messages: mpsc::UnboundedSender<Msg>,
) {
    let Ok(mut me) = Owner::start(server, migrator).await else {
        return;
    };
    loop {
        let next = work.finished.borrow_mut().pop_front();
        if let Some((name, keep)) = next {
            let _ = me.finish(&name, keep).await;
            continue;
        }
        if work.stop.get() {
            return;
        }
        let news = work.news.notified();
        match me.stock_count().await {
            Ok(n) if n < STOCK_CLONES => {
                if me.make_stock().await.is_err() {
                    return;
                }
                let _ = messages.send(Msg::Wake);
            }
            Ok(_) => drop(timeout(RECHECK, news).await),
            Err(_) => return,
        }
    }
}

/// Gives the ready clones back to the stock (or to the workers to drop,
/// when it is full), then lets the workers empty their queue and stop.
async fn leave(
    mut owner: Owner,
    ready: &Mutex<VecDeque<TestDatabase>>,
    work: &Work,
    workers: Vec<tokio::task::JoinHandle<()>>,
) {
    let clones: Vec<_> = ready
        .lock()
        .unwrap()
        .drain(..)
        .map(ManuallyDrop::new)
        .collect();
    for db in clones {
        db.pool.close().await;
        let count = owner.stock_count().await;
        let full = count.map_or(true, |n| n >= STOCK_CLONES);
        if full || owner.give_to_stock(&db.name).await.is_err() {
            let mut finished = work.finished.borrow_mut();
            finished.push_back((db.name.clone(), false));
        }
    }
    work.stop.set(true);
    work.news.notify_waiters();
    for worker in workers {
        let _ = worker.await;
    }
    // Without workers (none started, or they failed): drop here.
    let rest: Vec<_> = work.finished.borrow_mut().drain(..).collect();
    for (name, keep) in rest {
        let _ = owner.finish(&name, keep).await;
    }
}
