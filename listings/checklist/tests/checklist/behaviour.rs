//! Behaviour, not implementation: the same sign-up, checked two ways, after a
//! refactor that changed how it works and not what it does.

use checklist::{MIGRATOR, Users};

// ANCHOR: broken -- a test that counts statements breaks when the statements change
// OUTPUT: output/behaviour-broken.txt | sed -E \
//   's/testdb_[0-9a-f]+_[0-9a-f]+_[0-9]+/testdb_NAME/g'
// BROKEN ON PURPOSE: asserts how sign_up works (its statements), not
// what it does
/// Signs Ada up and checks that the repository asked first, then inserted.
#[tokio::test]
#[ignore = "broken on purpose: asserts the statements sent, which changed"]
async fn sign_up_checks_the_email_then_inserts() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    let users = Users::new(db.pool.clone());

    users.sign_up("Ada", "ada@example.com").await.unwrap();

    let sent = users.statements_sent();
    assert_eq!(
        sent, 2,
        "expected a SELECT then an INSERT (2 statements), saw {sent}"
    );
}

/// The statement-counting test fails after the refactor, though sign-up works.
#[test]
fn counting_statements_fails_after_a_refactor_that_kept_the_behaviour() {
    expect_failure::assert_fails_because(
        "behaviour::sign_up_checks_the_email_then_inserts",
        &["expected a SELECT then an INSERT (2 statements), saw 1"],
    );
}
// ANCHOR_END: broken

// ANCHOR: fixed -- a test that checks rows and answers survives the refactor
// FIXES: behaviour::sign_up_checks_the_email_then_inserts
/// Signs Ada up twice: the first creates her row, the second is refused and
/// leaves one row. Passes before and after the refactor.
#[tokio::test]
async fn a_second_sign_up_with_the_same_email_is_refused_and_adds_no_row() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    let pool = db.pool.clone();
    let users = Users::new(pool.clone());

    let first = users.sign_up("Ada", "ada@example.com").await.unwrap();
    let second = users.sign_up("Ada again", "ada@example.com").await.unwrap();

    assert!(
        first.is_some(),
        "expected the first sign-up to create a user, got {first:?}"
    );
    assert_eq!(
        second, None,
        "expected the second sign-up with the same email refused, \
         got id {second:?}"
    );
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM users WHERE email = $1")
            .bind("ada@example.com")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        names,
        ["Ada"],
        "expected exactly the first user's row, found {names:?}"
    );
}
// ANCHOR_END: fixed
