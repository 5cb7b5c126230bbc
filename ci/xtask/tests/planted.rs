//! Planted failures for the tool's self-tests (tests/selftest). Both are
//! ignored, so no ordinary run meets them; each is run only by the
//! self-test that plants it.

/// Fails on every third run of `cargo xtask flaky` (run 3, 6, …), read
/// from the run number the tool passes in `XTASK_RUN`: flaky, but
/// deterministically so.
#[test]
#[ignore = "planted flaky test: run by selftest::flaky_names_the_flaky_test"]
fn fails_every_third_run() {
    let run: u32 = std::env::var("XTASK_RUN")
        .ok()
        .and_then(|r| r.parse().ok())
        .expect("XTASK_RUN is set by cargo xtask flaky");
    assert!(!run.is_multiple_of(3), "planted failure on run {run}");
}

/// Waits forever: a forgotten wait. Only the suite-wide limit in
/// .config/nextest.toml can end it.
#[test]
#[ignore = "planted hang: run by selftest::a_hang_is_ended_and_reported"]
fn waits_forever() {
    let (_tx, rx) = std::sync::mpsc::channel::<()>();
    let _ = rx.recv();
    unreachable!("the channel's sender is alive, so recv never returns");
}
