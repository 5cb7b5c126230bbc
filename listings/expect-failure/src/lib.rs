//! How this book runs its anti-patterns.
//!
//! A broken listing is an ordinary test in the crate's test binary, marked
//! `#[ignore = "broken on purpose: …"]` so a plain `cargo test` doesn't count
//! it as a failure. Beside it, a proving test calls [`assert_fails_because`]:
//! that re-runs *the same test binary* with `--ignored --exact <name>`, so the
//! broken code is built and run for real, then checks that it failed, that it
//! failed alone, and that its output names the reason the chapter gives.
//!
//! Why not `#[should_panic]`: it passes on any panic, including one from a
//! typo or a missing database. Matching the reason rules those out.

use std::process::Command;

/// Environment variable the parent sets so the child knows it runs as a
/// proof (and could, say, skip expensive set-up the parent already did).
pub const CHILD_MARKER: &str = "EXPECT_FAILURE_CHILD";

/// The captured output of a broken test that failed as expected.
#[derive(Debug)]
pub struct Failure {
    /// Everything the child test binary printed, stdout then stderr.
    pub output: String,
}

/// Runs the ignored test `test_path` (e.g. `"pitfalls::sleep::broken_waits_a_fixed_time"`)
/// in a child process and panics unless it fails and its output contains
/// every string in `reasons`.
pub fn assert_fails_because(test_path: &str, reasons: &[&str]) -> Failure {
    BrokenRun::new(test_path).assert_fails_because(reasons)
}

/// A run of one ignored test in a child process, for the rare broken listing
/// whose failure depends on its environment ("works locally, fails in CI").
pub struct BrokenRun {
    test_path: String,
    command: Command,
}

impl BrokenRun {
    pub fn new(test_path: &str) -> BrokenRun {
        let exe = std::env::current_exe()
            .expect("the test binary knows its own path");
        let mut command = Command::new(exe);
        command
            .args(["--ignored", "--exact", test_path, "--test-threads=1"])
            .env(CHILD_MARKER, "1")
            // It fails by design: testdb need not keep its database (and,
            // on its throwaway cluster, the cluster) for anyone to inspect.
            .env("TESTDB_KEEP_FAILED", "0");
        BrokenRun {
            test_path: test_path.to_string(),
            command,
        }
    }

    /// Sets a variable in the child's environment.
    pub fn env(mut self, key: &str, value: &str) -> BrokenRun {
        self.command.env(key, value);
        self
    }

    /// Removes a variable from the child's environment.
    pub fn env_remove(mut self, key: &str) -> BrokenRun {
        self.command.env_remove(key);
        self
    }

    fn run(mut self) -> (bool, String, String) {
        let out = self
            .command
            .output()
            .expect("could not re-run the test binary");
        let output = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), output, self.test_path)
    }

    /// Panics unless the test runs, fails, and its output contains every reason.
    pub fn assert_fails_because(self, reasons: &[&str]) -> Failure {
        let (passed, output, test_path) = self.run();
        // libtest prints "1 failed" only if the filter matched exactly one test
        // and it failed; a misspelt path would show "0 failed; … 1 filtered out".
        assert!(
            !passed && output.contains("0 passed; 1 failed"),
            "expected `{test_path}` to run and fail, but it did not.\n--- its output ---\n{output}"
        );
        for reason in reasons {
            assert!(
                output.contains(reason),
                "`{test_path}` failed, but not for the stated reason: its output lacks {reason:?}.\n--- its output ---\n{output}"
            );
        }
        Failure { output }
    }

    /// Panics unless the test runs and passes: the other half of a listing
    /// that breaks only in some environments.
    pub fn assert_passes(self) {
        let (passed, output, test_path) = self.run();
        assert!(
            passed && output.contains("1 passed; 0 failed"),
            "expected `{test_path}` to run and pass here.\n--- its output ---\n{output}"
        );
    }
}
