//! The solution: the same test, solved; `cargo test` runs it.

use std::{sync::mpsc, time::Duration};

// ANCHOR: solution
/// A task the test spawns answers while the test waits for it with a
/// blocking call, as a test does when it calls blocking code.
// On the default current-thread runtime the spawned task can only run when
// the test awaits; a blocking wait never does. Worker threads run it
// meanwhile. (Or make the wait async: `tokio::sync::oneshot` and `.await`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_spawned_task_answers_a_test_that_blocks() {
    let (tx, rx) = mpsc::channel();
    tokio::spawn(async move {
        tx.send("pong").expect("the test is still listening");
    });

    // A blocking wait: the test's thread does nothing else until it ends.
    let answer = rx.recv_timeout(Duration::from_secs(2));

    assert_eq!(answer, Ok("pong"), "the spawned task's answer, within 2 s");
}
// ANCHOR_END: solution
