//! The starter: an ignored test that fails until you solve it.

use serde_json::json;

use crate::helpers::spawn_app;

// ANCHOR: starter
/// The apps of two tests running at once.
#[tokio::test]
#[ignore = "exercise starter: explain the 201, then prove the databases apart"]
async fn two_tests_signing_up_the_same_address_never_meet() {
    let first = spawn_app().await;
    let second = spawn_app().await;
    first.sign_up("ada@example.com").await;

    let again = second
        .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
        .await;

    assert_eq!(again.status(), 409, "Ada's address is already taken");
}
// ANCHOR_END: starter
