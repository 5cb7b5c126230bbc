//! Builders in use: each test names only the field it is about.

use crate::{builders::TestData, helpers::spawn_reporting_app};

// ANCHOR: override
/// A name sent with spaces around it is stored without them.
#[tokio::test]
async fn a_name_with_spaces_around_it_is_stored_trimmed() {
    let app = spawn_reporting_app().await;
    let mut data = TestData::new();
    // Only the name matters here; the email is the builder's business.
    let user = data.user().name("  Ada Lovelace  ");

    let created = app.post_user(&user.json()).await;

    assert_eq!(
        created.status, 201,
        "expected the sign-up to succeed, got {}: {}",
        created.status, created.body
    );
    let stored: String =
        sqlx::query_scalar("SELECT name FROM users WHERE email = $1")
            .bind(&user.email)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(
        stored, "Ada Lovelace",
        "expected the name stored without the spaces around it"
    );
}
// ANCHOR_END: override

// ANCHOR: given
/// Reading a user back gives the stored name and email.
#[tokio::test]
async fn reading_a_user_back_gives_its_name_and_email() {
    let app = spawn_reporting_app().await;
    let mut data = TestData::new();
    // A given, not the subject: inserted directly, defaults for everything.
    let existing = data.user().insert(&app.db.pool).await;

    let reply = app.get_user(existing.id).await;

    assert_eq!(
        reply.status, 200,
        "expected to read user {} back, got {}: {}",
        existing.id, reply.status, reply.body
    );
    let body = reply.json();
    assert_eq!(
        (body["name"].as_str(), body["email"].as_str()),
        (Some(existing.name.as_str()), Some(existing.email.as_str())),
        "expected the stored user, got {body}"
    );
}
// ANCHOR_END: given
