//! Where a test's random values come from: one seed per run, printed when a
//! test fails, and read back from `TEST_SEED` to replay that run's data.

use std::sync::OnceLock;

use rand::{SeedableRng, rngs::StdRng};

/// The environment variable that replays a run's data.
pub const SEED_VAR: &str = "TEST_SEED";

// ANCHOR: run_seed
/// This run's seed: `TEST_SEED` if it is set, otherwise a fresh random one.
/// Chosen once per process, so every failure message names the same seed.
pub fn run_seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| match std::env::var(SEED_VAR) {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| {
            panic!("{SEED_VAR}={text:?} is not a seed; set it to the number a failing run printed, e.g. {SEED_VAR}=12345")
        }),
        // Fresh each run: over many runs the tests meet many different
        // values, and any one of them can be replayed from its seed.
        Err(_) => rand::random(),
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
    // want a generator that promises a stable stream (rand's ChaCha8Rng).
    StdRng::seed_from_u64(seed ^ stable_hash(test))
}
// ANCHOR_END: run_seed

/// FNV-1a: a hash that is the same on every machine and Rust version, unlike
/// `std`'s `DefaultHasher`, whose algorithm is allowed to change.
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
