//! Where a test's random values come from: one seed per run, printed once at
//! the start, pinned in CI, fresh on a developer's machine, and read back
//! from `TEST_SEED` to replay a run's data.

use std::{io::Write, sync::OnceLock};

use rand::{SeedableRng, rngs::StdRng};

/// The environment variable that pins a run's seed, and replays it.
pub const SEED_VAR: &str = "TEST_SEED";

/// The seed a CI run uses when its script did not set `TEST_SEED`.
pub const CI_SEED: u64 = 20261130;

// ANCHOR: choose_seed -- CI pins the seed, a developer's run draws a new one
/// Where this run's seed came from, for the line that announces it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// `TEST_SEED` was set: a pinned run, or a replay.
    Pinned,
    /// No `TEST_SEED`, but `CI` is set: CI gets [`CI_SEED`], never a
    /// fresh one, so a red build is the code's doing and reruns alike.
    CiDefault,
    /// Neither: a developer's run, exploring a seed no run has tried.
    Fresh,
}

/// Picks the seed from the two variables that decide it. Pure, so that
/// each rule has a test; [`run_seed`] calls it with the real environment.
pub fn choose_seed(
    test_seed: Option<&str>,
    ci: Option<&str>,
) -> Result<(u64, Source), String> {
    let in_ci = ci.is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    match test_seed {
        Some(text) => text
            .trim()
            .parse()
            .map(|seed| (seed, Source::Pinned))
            .map_err(|_| {
                format!(
                    "{SEED_VAR}={text:?} is not a seed: set it to the number \
                     a run printed, e.g. {SEED_VAR}=12345"
                )
            }),
        None if in_ci => Ok((CI_SEED, Source::CiDefault)),
        None => Ok((rand::random(), Source::Fresh)),
    }
}
// ANCHOR_END: choose_seed

// ANCHOR: run_seed
/// This run's seed, chosen once per process and announced on stderr, so
/// every run's log, passing or failing, says which data it used.
pub fn run_seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        let test_seed = std::env::var(SEED_VAR).ok();
        let ci = std::env::var("CI").ok();
        let (seed, source) = choose_seed(test_seed.as_deref(), ci.as_deref())
            .unwrap_or_else(|why| panic!("{why}"));
        let how = match source {
            Source::Pinned => "from TEST_SEED",
            Source::CiDefault => "pinned: CI is set, TEST_SEED is not",
            Source::Fresh => "fresh: set TEST_SEED to replay it",
        };
        // Straight to stderr: `cargo test` captures `eprintln!` inside a
        // test and shows it only on failure; this line is for every run.
        let _ = writeln!(std::io::stderr(), "test data: seed {seed} ({how})");
        seed
    })
}

/// A generator for one test: the run's seed mixed with the test's name.
///
/// One generator shared by all tests would hand each test whatever values
/// were left when its turn came, and with tests running in parallel that
/// order changes from run to run. Per test, the values depend only on the
/// seed and the test, so replaying one test alone gives it the same values.
pub fn rng_for(test: &str, seed: u64) -> StdRng {
    // StdRng's algorithm may change in a new rand release; Cargo.lock pins
    // the release, which is all a replay needs. Seeds kept for years would
    // want a generator that promises a stable stream (rand_chacha's
    // ChaCha8Rng).
    StdRng::seed_from_u64(seed ^ stable_hash(test))
}
// ANCHOR_END: run_seed

// ANCHOR: replay_command -- the one command that replays a failing test's data
/// The command that runs `test` alone with `seed`: the package and the test
/// binary are this crate's own, so the line can be pasted as it is.
pub fn replay_command(seed: u64, test: &str) -> String {
    format!(
        "{SEED_VAR}={seed} cargo test -p {} --test {} -- --exact {test}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_CRATE_NAME"),
    )
}

/// Prints the seed and the replay command if the test is failing. Called
/// from `Drop`, which runs while a failing test's panic unwinds.
pub fn hint_if_failing(seed: u64, test: &str) {
    if std::thread::panicking() {
        eprintln!(
            "test data came from seed {seed}; replay it with:\n  {}",
            replay_command(seed, test)
        );
    }
}
// ANCHOR_END: replay_command

/// The running test's name, `module::test`: libtest runs each test on a
/// thread named after it, and `#[tokio::test]` keeps the test's body there.
pub fn current_test() -> String {
    std::thread::current()
        .name()
        .unwrap_or("unnamed test")
        .to_owned()
}

/// FNV-1a: a hash that is the same on every machine and Rust version, unlike
/// `std`'s `DefaultHasher`, whose algorithm is allowed to change.
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
