//! A limit is a line, and a test of a line checks both sides of it: the
//! last value allowed and the first one refused.

use serde_json::json;

use crate::helpers::spawn_app;

/// A valid sign-up padded with spaces to `size` bytes: JSON allows
/// whitespace after the value, so only the size differs between the cases.
fn padded_sign_up(size: usize) -> String {
    let body = json!({"name": "Ada", "email": "ada@example.com"}).to_string();
    format!("{body:<size$}")
}

/// The limit the docs promise: 16 KiB. Written out rather than read from
/// `user_service::MAX_BODY_BYTES`, so a wrong constant can't make the test
/// agree with it.
const SIXTEEN_KIB: usize = 16 * 1024;

/// A body of exactly 16 KiB is read and the user created; one byte more
/// is refused with 413 before anything is parsed.
#[tokio::test]
async fn the_body_limit_admits_its_own_size_and_refuses_one_byte_more() {
    let app = spawn_app().await;

    let at_limit = app
        .post_user_raw(padded_sign_up(SIXTEEN_KIB), "application/json")
        .await;
    let over_limit = app
        .post_user_raw(padded_sign_up(SIXTEEN_KIB + 1), "application/json")
        .await;

    assert_eq!(at_limit.status(), 201, "16 KiB are allowed");
    assert_eq!(over_limit.status(), 413, "one byte over the limit");
    assert_eq!(app.user_count().await, 1, "only the first was stored");
}

/// A name of exactly 200 characters is accepted; one of 201 is refused and
/// stores nothing.
#[tokio::test]
async fn the_name_limit_admits_200_characters_and_refuses_201() {
    let app = spawn_app().await;

    let at_limit = app
        .post_user(&json!({"name": "a".repeat(200), "email": "a@example.com"}))
        .await;
    let over_limit = app
        .post_user(&json!({"name": "b".repeat(201), "email": "b@example.com"}))
        .await;

    assert_eq!(at_limit.status(), 201, "200 characters are allowed");
    assert_eq!(over_limit.status(), 422, "201 characters are too many");
    assert_eq!(app.user_count().await, 1, "only the first was stored");
}
