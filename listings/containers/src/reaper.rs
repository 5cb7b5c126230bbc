//! Removing a container that `Drop` never reaches.
//!
//! testcontainers removes a container when its `ContainerAsync` is dropped,
//! also while a panicking test unwinds. A value in a `static` is never
//! dropped, though: a container shared by a whole test process would outlive
//! it. There is no Ryuk-style reaper container here (it would have to be
//! pulled), so we do what the `testdb` harness does for its cluster: a small
//! shell process that waits for a pipe only we hold open. When the test
//! process ends, however it ends (even `kill -9`), the kernel closes the pipe,
//! `read` returns, and the shell removes the container.

use std::{
    os::unix::process::CommandExt,
    process::{ChildStdin, Command, Stdio},
};

// ANCHOR: remove_on_exit
/// Removes `container_id` as soon as this process has exited. Keep the
/// returned pipe alive as long as the container should live.
pub fn remove_on_exit(container_id: &str) -> Result<ChildStdin, String> {
    const SCRIPT: &str =
        r#"trap '' INT TERM HUP; read _; docker rm -f -v "$1" >/dev/null 2>&1"#;
    let mut child = Command::new("sh")
        .args(["-c", SCRIPT, "container-reaper", container_id])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own process group: a Ctrl-C in the terminal must not kill the
        // reaper before it has done its job.
        .process_group(0)
        .spawn()
        .map_err(|error| {
            format!(
                "could not start the reaper shell (sh and the docker CLI \
                 are needed): {error}"
            )
        })?;
    Ok(child.stdin.take().expect("stdin was piped"))
}
// ANCHOR_END: remove_on_exit
