//! What a container test does when there is no Docker engine.
//!
//! On a laptop without Docker, failing every container test would teach
//! people to ignore the suite; passing them silently would be worse, because
//! nobody would know they never ran. So: one line that says they were skipped
//! and how to fix it. In CI the same situation is a broken pipeline, and fails.

use std::io::Write;

use tokio::sync::OnceCell;

// ANCHOR: docker_or_skip
/// Returns `true` when a Docker engine answers. Otherwise, in CI (`CI` set,
/// as GitHub Actions, GitLab and most others do) it panics; elsewhere it
/// prints one `skipped: …` line for the whole test process and returns
/// `false`, and the caller returns early.
pub async fn docker_or_skip() -> bool {
    // Ask once per process: every test would get the same answer.
    static VERDICT: OnceCell<Result<(), String>> = OnceCell::const_new();
    let verdict = VERDICT
        .get_or_init(|| async {
            let verdict = ping().await;
            if let Err(why) = &verdict
                && !in_ci()
            {
                // Straight to the process's stderr: libtest captures
                // `println!`/`eprintln!` of passing tests, which would
                // make this skip silent.
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: no Docker engine reachable ({why}; start \
                     Docker, or point DOCKER_HOST at a running engine, to \
                     run the container tests)"
                );
            }
            verdict
        })
        .await;
    match verdict {
        Ok(()) => true,
        Err(why) if in_ci() => panic!(
            "no Docker engine reachable ({why}), and CI is set: in CI the \
             container tests must run. Fix the pipeline: give the job a \
             Docker engine (GitHub Actions: runs-on: ubuntu-latest has \
             one), or set DOCKER_HOST to one"
        ),
        Err(_) => false,
    }
}

/// `CI` set to anything but an empty string, `false` or `0`.
pub fn in_ci() -> bool {
    std::env::var("CI")
        .is_ok_and(|value| !matches!(value.as_str(), "" | "false" | "0"))
}
// ANCHOR_END: docker_or_skip

/// Pings the engine through the same client testcontainers uses, so
/// `DOCKER_HOST` and friends are read exactly as the tests will read them.
async fn ping() -> Result<(), String> {
    let docker = testcontainers::core::client::docker_client_instance()
        .await
        .map_err(|error| format!("{error}"))?;
    docker
        .ping()
        .await
        .map(|_| ())
        .map_err(|error| format!("{error}"))
}
