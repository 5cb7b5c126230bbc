//! Runs the real `worker` binary as a child process, the way it runs in
//! production, and reads what it prints.

use std::{process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, AsyncRead, BufReader},
    process::{Child, Command},
    sync::mpsc,
};

use crate::{
    deadline::{DEADLINE, within},
    helpers::TestApp,
};

// ANCHOR: spawn_worker
/// A worker process. Killed when dropped, so a failing test leaves none behind.
pub struct WorkerProcess {
    child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    /// Everything it printed so far, for failure messages.
    printed: Vec<String>,
}

/// Starts the `worker` binary against this test's database and mock email
/// service. `env` adds or overrides variables (`WORKER_LEASE_MS`, ...).
pub fn spawn_worker(app: &TestApp, env: &[(&str, &str)]) -> WorkerProcess {
    // Cargo builds the package's binaries before its integration tests and
    // tells them where: no `cargo run`, no guessing at target/debug.
    let mut child = Command::new(env!("CARGO_BIN_EXE_worker"))
        .env("DATABASE_URL", app.db.url())
        .env("EMAIL_BASE_URL", app.email_server.uri())
        .env("WORKER_IDLE_POLL_MS", "20") // look often: tests wait on it
        .env("RUST_LOG", "info") // the lines the tests read are info-level
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("could not start the worker binary");
    // Both streams into one channel: a test waits for a line wherever it is.
    let (tx, lines) = mpsc::unbounded_channel();
    forward_lines(child.stdout.take().unwrap(), tx.clone());
    forward_lines(child.stderr.take().unwrap(), tx);
    WorkerProcess {
        child,
        lines,
        printed: Vec::new(),
    }
}

impl WorkerProcess {
    /// Waits until the worker prints a line containing `needle` and returns
    /// it. A signal, not a sleep: it returns the moment the line appears.
    pub async fn wait_for_line(
        &mut self,
        needle: &str,
        timeout: Duration,
    ) -> String {
        let found = tokio::time::timeout(timeout, async {
            while let Some(line) = self.lines.recv().await {
                self.printed.push(line.clone());
                if line.contains(needle) {
                    return Some(line);
                }
            }
            None // the worker closed stdout and stderr: it exited
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            Ok(None) => panic!(
                "the worker exited without printing {needle:?}; \
                 it printed:\n{}",
                self.printed.join("\n")
            ),
            Err(_) => panic!(
                "no line with {needle:?} from the worker within {timeout:?}; \
                 it printed:\n{}",
                self.printed.join("\n")
            ),
        }
    }

    /// SIGKILL: no clean-up, no last words, like a machine losing power.
    pub async fn kill(mut self) {
        within(DEADLINE, "the killed worker to exit", self.child.kill())
            .await
            .expect("the worker process can be killed");
    }
}
// ANCHOR_END: spawn_worker

impl WorkerProcess {
    /// Asks the worker to stop, as a service manager does (SIGTERM).
    pub async fn terminate(&self) {
        let pid = self.child.id().expect("the worker is still running");
        let status = tokio::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        let status = within(DEADLINE, "`kill -TERM` to return", status)
            .await
            .expect("`kill` runs");
        assert!(status.success(), "kill -TERM {pid} failed: {status}");
    }

    /// Waits for the worker to exit by itself and returns how it exited;
    /// fails at `timeout` with everything it printed.
    pub async fn exit_status(
        &mut self,
        timeout: Duration,
    ) -> std::process::ExitStatus {
        match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => status.expect("the worker's exit status is known"),
            Err(_) => {
                while let Ok(line) = self.lines.try_recv() {
                    self.printed.push(line);
                }
                panic!(
                    "gave up waiting for the worker to exit after \
                     {timeout:?}; it printed:\n{}",
                    self.printed.join("\n")
                )
            }
        }
    }
}

/// Sends each line `output` prints to `tx`, until it closes.
fn forward_lines(
    output: impl AsyncRead + Unpin + Send + 'static,
    tx: mpsc::UnboundedSender<String>,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(output).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = tx.send(line);
        }
    });
}
