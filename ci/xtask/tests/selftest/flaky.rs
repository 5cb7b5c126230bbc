use crate::xtask;

/// Six runs of a test that fails on every third one: the hunt fails and
/// names the test and the runs it failed in (3 and 6).
#[test]
fn flaky_names_the_flaky_test() {
    let (ok, out) = xtask(
        &[
            "flaky",
            "--runs",
            "6",
            "-p",
            "xtask",
            "--test",
            "planted",
            "--",
            "--ignored",
            "--exact",
            "fails_every_third_run",
        ],
        &[],
    );
    assert!(!ok, "a hunt that met a flaky test must fail:\n{out}");
    assert!(
        out.contains(
            "planted: fails_every_third_run: failed in 2 of 6 runs \
                      (runs 3, 6)"
        ),
        "expected the test named with runs 3 and 6:\n{out}"
    );
    assert!(out.contains("run 1/6: passed"), "run 1 passes:\n{out}");
}
