//! The starter: an ignored test that fails until you solve it.

use std::{sync::mpsc, time::Duration};

// ANCHOR: starter
/// A task the test spawns answers while the test waits for it with a
/// blocking call, as a test does when it calls blocking code.
#[tokio::test]
#[ignore = "exercise starter: let the spawned task run"]
async fn a_spawned_task_answers_a_test_that_blocks() {
    let (tx, rx) = mpsc::channel();
    tokio::spawn(async move {
        tx.send("pong").expect("the test is still listening");
    });

    // A blocking wait: the test's thread does nothing else until it ends.
    let answer = rx.recv_timeout(Duration::from_secs(2));

    assert_eq!(answer, Ok("pong"), "the spawned task's answer, within 2 s");
}
// ANCHOR_END: starter
