//! The solution: the same test, solved; `cargo test` runs it.

use serde_json::json;

use crate::helpers::spawn_app;

// ANCHOR: solution
/// The apps of two tests running at once.
#[tokio::test]
async fn two_tests_signing_up_the_same_address_never_meet() {
    let first = spawn_app().await;
    let second = spawn_app().await;
    first.sign_up("ada@example.com").await;

    let again = second
        .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
        .await;

    assert_eq!(again.status(), 201, "Ada is new to the second database");
    assert_eq!(first.user_count().await, 1, "one Ada in the first");
    assert_eq!(second.user_count().await, 1, "one Ada in the second");
    let name = "SELECT current_database()";
    let a: String = sqlx::query_scalar(name)
        .fetch_one(first.pool())
        .await
        .unwrap();
    let b: String = sqlx::query_scalar(name)
        .fetch_one(second.pool())
        .await
        .unwrap();
    assert_ne!(a, b, "two databases, not one shared");
}
// ANCHOR_END: solution
