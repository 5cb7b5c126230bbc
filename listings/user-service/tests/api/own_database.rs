//! testdb's promise, seen from the app: each test's app has a database of
//! its own, so what one test writes, another can't see or collide with.

use crate::helpers::spawn_app;

/// Two apps started side by side, as two tests would be: a user signed up
/// through one is unknown to the other, and the same email is free there.
#[tokio::test]
async fn two_tests_apps_do_not_see_each_others_users() {
    let (first, second) = tokio::join!(spawn_app(), spawn_app());

    let id = first.sign_up("ada@example.com").await;

    assert_eq!(second.user_count().await, 0, "the second app sees no users");
    assert_eq!(
        second.get_user(id).await.status(),
        404,
        "user {id} exists only in the first app's database"
    );
    second.sign_up("ada@example.com").await; // no 409: nothing is shared
}
