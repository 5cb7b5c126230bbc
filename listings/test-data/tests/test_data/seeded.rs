//! Same seed, same data: what makes a failure reproducible from its seed.

use std::process::Command;

use crate::{
    builders::{TestData, UserBuilder},
    seed::{CI_SEED, SEED_VAR, Source, choose_seed},
};

fn five_users(data: &mut TestData) -> Vec<UserBuilder> {
    (0..5).map(|_| data.user()).collect()
}

// ANCHOR: same_seed
/// One test, one seed, twice: the same users, field for field.
#[test]
fn the_same_seed_gives_the_same_users() {
    let first = five_users(&mut TestData::with_seed("seeded::example", 42));
    let second = five_users(&mut TestData::with_seed("seeded::example", 42));

    assert_eq!(
        first, second,
        "expected seed 42 to draw the same five users twice"
    );
}

/// Another seed draws other users: the seed decides, not the time of day.
#[test]
fn another_seed_gives_other_users() {
    let with_1 = five_users(&mut TestData::with_seed("seeded::example", 1));
    let with_2 = five_users(&mut TestData::with_seed("seeded::example", 2));

    assert_ne!(
        with_1, with_2,
        "expected seeds 1 and 2 to draw different users"
    );
}

/// Two tests under one seed draw different users, so no test's values
/// depend on which other tests ran before it.
#[test]
fn two_tests_under_one_seed_draw_different_users() {
    let in_one_test =
        five_users(&mut TestData::with_seed("seeded::one_test", 42));
    let in_another =
        five_users(&mut TestData::with_seed("seeded::another_test", 42));

    assert_ne!(
        in_one_test, in_another,
        "expected two tests to draw different users from seed 42"
    );
}
// ANCHOR_END: same_seed

// ANCHOR: rerun
/// The users a test draws from the run's seed are valid sign-ups. (Also
/// the test the next one runs twice: it prints what it drew.)
// OUTPUT: output/ci-seed.txt CI=true -TEST_SEED --nocapture
#[test]
fn users_drawn_from_the_run_seed_are_valid_sign_ups() {
    let mut data = TestData::new();
    for user in five_users(&mut data) {
        assert!(
            !user.name.trim().is_empty(),
            "expected a name, got {user:?}"
        );
        assert!(
            user.email.ends_with(".example.test"),
            "expected an address under example.test, got {user:?}"
        );
        println!("drew {} <{}>", user.name, user.email);
    }
}

/// Running a test twice with the same `TEST_SEED` draws identical data:
/// checked on the real test binary, through the variable a reader sets.
#[test]
fn a_test_run_twice_with_the_same_test_seed_draws_identical_data() {
    let drawn_in_a_run = || {
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "seeded::users_drawn_from_the_run_seed_are_valid_sign_ups",
                "--nocapture",
            ])
            .env(SEED_VAR, "20261125")
            .output()
            .expect("run the test binary");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "expected the child run to pass, it printed:\n{stdout}"
        );
        stdout
            .lines()
            .filter(|line| line.starts_with("drew "))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };

    let first_run = drawn_in_a_run();
    let second_run = drawn_in_a_run();

    assert_eq!(
        first_run.len(),
        5,
        "expected the child to print five users, got {first_run:?}"
    );
    assert_eq!(
        first_run, second_run,
        "expected two runs with {SEED_VAR}=20261125 to draw the same users"
    );
}
// ANCHOR_END: rerun

// ANCHOR: pinned -- CI runs on a pinned seed, a developer's run on a new one
/// A run with `TEST_SEED` uses it, in CI or not: that is how CI pins its
/// seed and how anyone replays a failure.
#[test]
fn test_seed_pins_the_run_in_ci_and_out() {
    for ci in [None, Some("true")] {
        assert_eq!(
            choose_seed(Some("77"), ci),
            Ok((77, Source::Pinned)),
            "expected TEST_SEED=77 to win with CI={ci:?}"
        );
    }
}

/// CI without `TEST_SEED` still runs on one fixed seed, never a fresh one:
/// rerunning a red build must fail the same way.
#[test]
fn ci_without_test_seed_runs_on_the_fixed_ci_seed() {
    assert_eq!(
        choose_seed(None, Some("true")),
        Ok((CI_SEED, Source::CiDefault)),
        "expected CI=true without TEST_SEED to use CI_SEED"
    );
}

/// A developer's run (no `CI`, no `TEST_SEED`) draws a new seed each time,
/// so local runs keep meeting data no run has tried.
#[test]
fn a_local_run_explores_a_new_seed_each_time() {
    let seeds: Vec<_> = (0..3)
        .map(|_| choose_seed(None, Some("false")).unwrap())
        .collect();

    assert!(
        seeds.iter().all(|(_, source)| *source == Source::Fresh),
        "expected fresh seeds outside CI, got {seeds:?}"
    );
    assert!(
        seeds[0].0 != seeds[1].0 || seeds[1].0 != seeds[2].0,
        "expected three fresh draws not all equal, got {seeds:?}"
    );
}

/// A `TEST_SEED` that is not a number is refused, with what to set instead.
#[test]
fn a_test_seed_that_is_not_a_number_says_what_to_set() {
    let why = choose_seed(Some("yesterday's"), None).unwrap_err();

    assert!(
        why.contains("is not a seed") && why.contains("TEST_SEED=12345"),
        "expected a message saying what to set, got {why:?}"
    );
}

/// A CI run with no `TEST_SEED` prints its seed, and draws exactly what a
/// run with `TEST_SEED` set to that seed draws: checked on the real binary.
#[test]
fn a_ci_run_prints_its_pinned_seed_and_replays_with_it() {
    let run = |env: &[(&str, &str)]| {
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "--exact",
                "seeded::users_drawn_from_the_run_seed_are_valid_sign_ups",
                "--nocapture",
            ])
            .env_remove(SEED_VAR)
            .env_remove("CI");
        let out = child.envs(env.iter().copied()).output().unwrap();
        assert!(out.status.success(), "expected the child run to pass");
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        (text(&out.stdout), text(&out.stderr))
    };
    let drawn = |stdout: &str| -> Vec<String> {
        let lines = stdout.lines().filter(|line| line.starts_with("drew "));
        lines.map(str::to_owned).collect()
    };

    let (in_ci, ci_log) = run(&[("CI", "true")]);
    let ci_seed = CI_SEED.to_string();
    let (replayed, _) = run(&[(SEED_VAR, ci_seed.as_str())]);

    assert!(
        ci_log.contains(&format!("test data: seed {CI_SEED} (pinned")),
        "expected the CI run to print its seed, its stderr was:\n{ci_log}"
    );
    assert_eq!(
        drawn(&in_ci),
        drawn(&replayed),
        "expected {SEED_VAR}={CI_SEED} to draw what the CI run drew"
    );
}
// ANCHOR_END: pinned
