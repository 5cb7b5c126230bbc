//! The one task that owns testdb's state in a process, on a thread whose
//! runtime lives as long as the process (a test's runtime ends with its
//! test, and a connection made there would end with it). Once the first
//! test has its database, [`worker`]s prepare the next tests' databases.

use std::sync::{Arc, Mutex, OnceLock, mpsc as std_mpsc};
use std::time::{Duration, Instant};
use std::{cell::Cell, collections::VecDeque, rc::Rc};

use sqlx::{Executor, migrate::Migrator, postgres as pg};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::{runtime::Builder, task::spawn_local, time::timeout};

use crate::{TestDatabase, names, owner::Owner, server::Server};

/// Clean clones of a set of migrations kept on the server for any process.
const STOCK_CLONES: i64 = 4;

/// How long a finished database waits before it is dropped: the server
/// processes of its closed connections take a moment to exit, and a `DROP`
/// that still sees one sleeps 100 ms before it looks again.
const SETTLE: Duration = Duration::from_millis(50);

/// Under `cargo test`: clones kept claimed and connected before tests ask
/// (one per test thread, and one more), and workers (three keep up with
/// two test threads where two don't: `cargo xtask bench-isolation`). Under
/// nextest a process runs one test: none ahead, one worker, whose session
/// would otherwise slow that test's first queries.
fn ahead_and_workers() -> (usize, usize) {
    let mode = std::env::var("NEXTEST_EXECUTION_MODE");
    if mode.is_ok_and(|m| m == "process-per-test") { (0, 1) } else { (3, 3) }
}

enum Msg {
    /// A test found nothing ready and waits for this answer.
    Want(oneshot::Sender<Result<TestDatabase, String>>),
    Exit(std_mpsc::Sender<()>),
}

/// What tests, the task and its workers share.
#[derive(Default)]
struct Shared {
    /// Clones connected ahead; locked only for a push or a pop, so a test
    /// takes one without waiting for the task's thread.
    ready: Mutex<VecDeque<TestDatabase>>,
    /// Databases tests finished with, whether to keep each, and when.
    finished: Mutex<VecDeque<(String, bool, Instant)>>,
    /// Wakes the workers: a clone was taken or a database finished.
    news: Notify,
}

impl Shared {
    /// The next finished database old enough to drop (any, when stopping).
    fn settled(&self, stopping: bool) -> Option<(String, bool, Instant)> {
        let mut finished = self.finished.lock().unwrap();
        let (_, _, at) = finished.front()?;
        let settled = stopping || at.elapsed() >= SETTLE;
        if settled { finished.pop_front() } else { None }
    }
}

struct Harness {
    hash: String,
    messages: mpsc::UnboundedSender<Msg>,
    shared: Arc<Shared>,
}

static HARNESS: OnceLock<Harness> = OnceLock::new();

fn harness(migrator: &'static Migrator) -> &'static Harness {
    HARNESS.get_or_init(|| {
        let (messages, inbox) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared::default());
        let for_task = shared.clone();
        let thread = std::thread::Builder::new().name("testdb".into());
        let spawned = thread.spawn(move || {
            let runtime = Builder::new_current_thread().enable_all().build();
            let runtime = runtime.expect("a runtime for testdb's thread");
            // Tasks stay on this thread: sqlx's futures need not be Send.
            let task = run(migrator, inbox, for_task);
            tokio::task::LocalSet::new().block_on(&runtime, task);
        });
        spawned.expect("could not start testdb's thread");
        // SAFETY: `at_exit` is a plain function, alive as long as the process.
        unsafe { libc::atexit(at_exit) };
        Harness { hash: names::migrations_hash(migrator), messages, shared }
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
    let popped = harness.shared.ready.lock().unwrap().pop_front();
    if let Some(db) = popped {
        harness.shared.news.notify_waiters();
        return Ok(db);
    }
    let (reply, answer) = oneshot::channel();
    let _ = harness.messages.send(Msg::Want(reply));
    // Past the bound of every wait inside.
    let bound = crate::wait_bound() + Duration::from_secs(10);
    let Ok(answer) = timeout(bound, answer).await else {
        let secs = bound.as_secs();
        return Err(format!(
            "no database after {secs} s; TESTDB_WAIT_SECS raises the bound"
        ));
    };
    answer.unwrap_or_else(|_| Err("testdb's thread has ended".into()))
}

/// Queues a test's database for the workers to drop (or keep); no wait.
pub fn finish(name: String, keep: bool) {
    let Some(Harness { shared, .. }) = HARNESS.get() else { return };
    shared.finished.lock().unwrap().push_back((name, keep, Instant::now()));
    shared.news.notify_waiters();
}

/// At exit, for at most 5 s: the workers drop the ready clones and finish
/// their queue. What is left then, the next sweep drops.
extern "C" fn at_exit() {
    let (done, wait) = std_mpsc::channel();
    let sent = HARNESS.get().map(|h| h.messages.send(Msg::Exit(done)));
    if let Some(Ok(())) = sent {
        let _ = wait.recv_timeout(Duration::from_secs(5));
    }
}

/// Answers the tests that found nothing ready, until [`at_exit`].
async fn run(
    migrator: &'static Migrator,
    mut inbox: mpsc::UnboundedReceiver<Msg>,
    shared: Arc<Shared>,
) {
    let mut owner = match Server::find() {
        Ok(server) => Owner::start(Arc::new(server), migrator).await,
        Err(why) => Err(why),
    };
    let (stop, mut workers) = (Rc::new(Cell::new(false)), vec![]);
    let done = loop {
        let reply = match inbox.recv().await {
            Some(Msg::Want(reply)) => reply,
            Some(Msg::Exit(done)) => break done,
            None => return,
        };
        let claimed = match &mut owner {
            Ok(owner) => claim(owner, true).await,
            Err(why) => Err(why.clone()),
        };
        // A test that stopped waiting: its clone is dropped.
        let _ = reply.send(claimed.map(|db| db.expect("made")));
        let Ok(owner) = &owner else { continue };
        if workers.is_empty() {
            // Off the first test's path: it has its database by now.
            for n in 0..ahead_and_workers().1 {
                let (server, shared) = (owner.server.clone(), shared.clone());
                let job = worker(server, migrator, shared, stop.clone(), n);
                workers.push(spawn_local(job));
            }
        }
    };
    stop.set(true);
    // Dropped as a passing test's are: onto the workers' queue. (The
    // workers keep the stock full: ready clones are not given back.)
    drop(std::mem::take(&mut *shared.ready.lock().unwrap()));
    shared.news.notify_waiters();
    for worker in workers {
        let _ = worker.await;
    }
    // Without workers (none started, or they failed): drop here.
    if let Ok(owner) = &mut owner {
        let rest: Vec<_> = shared.finished.lock().unwrap().drain(..).collect();
        for (name, keep, _) in rest {
            let _ = owner.finish(&name, keep).await;
        }
    }
    let _ = done.send(());
}

/// A clone renamed to one of `owner`'s names, with the test's pool on it:
/// for a test waiting now, from the stock or made now; or, for a test to
/// come, from the stock only, with a first statement run on its pool (a
/// new server process reads the catalog then, off that test's path).
async fn claim(
    owner: &mut Owner,
    waiting: bool,
) -> Result<Option<TestDatabase>, String> {
    let name = match owner.claim_from_stock().await? {
        Some(name) => name,
        None if waiting => owner.make_clone().await?,
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
        .connect_with(options.clone())
        .await
        .map_err(|e| server.explain(&e))?;
    if !waiting {
        pool.execute("SELECT 1").await.map_err(|e| server.explain(&e))?;
    }
    let url = server.url(Some(&name));
    Ok(Some(TestDatabase { pool, name, url, options }))
}

/// The first sweeps once. Then, in turn: drops (or keeps) what tests
/// finished with; claims clones for the next tests; keeps the stock full.
/// Each worker is an owner of its own: what it half made carries its key.
async fn worker(
    server: Arc<Server>,
    migrator: &'static Migrator,
    shared: Arc<Shared>,
    stop: Rc<Cell<bool>>,
    n: usize,
) -> Option<()> {
    let mut me = Owner::start(server, migrator).await.ok()?;
    if n == 0 {
        me.sweep().await;
    }
    loop {
        if let Some((name, keep, _)) = shared.settled(stop.get()) {
            let _ = me.finish(&name, keep).await;
            continue;
        } else if stop.get() {
            return Some(());
        }
        let news = shared.news.notified();
        let short = shared.ready.lock().unwrap().len() < ahead_and_workers().0;
        if short && let Some(db) = claim(&mut me, false).await.ok()? {
            shared.ready.lock().unwrap().push_back(db);
        } else if !me.top_up_stock(STOCK_CLONES).await.ok()? {
            // Other processes take from the stock without a word; and a
            // finished database has settled by then.
            let _ = timeout(SETTLE, news).await;
        }
    }
}
