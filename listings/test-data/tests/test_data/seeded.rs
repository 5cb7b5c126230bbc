//! Same seed, same data: what makes a failure reproducible from its seed.

use std::process::Command;

use crate::{
    builders::{TestData, UserBuilder},
    seed::SEED_VAR,
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
