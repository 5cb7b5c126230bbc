//! Fixtures: the smallest known state a group of tests starts from, built
//! from the builders so their defaults stay in one place.

use sqlx::PgPool;
use user_service::{
    jobs::{JobQueue, OutboxTable, WelcomeEmail},
    users::User,
};

use crate::builders::TestData;

// ANCHOR: fixture
/// One user who is owed a welcome email nobody has tried to send yet: where
/// every test of the email worker starts. The job is written by the app's
/// own queue, so the fixture can't drift from what the app really writes.
pub async fn user_owed_a_welcome_email(
    pool: &PgPool,
    data: &mut TestData,
) -> User {
    let user = data.user().insert(pool).await;
    let job = WelcomeEmail {
        user_id: user.id,
        recipient: user.email.clone(),
        idempotency_key: format!("welcome-{}", user.id),
    };
    let mut tx = pool.begin().await.expect("begin a transaction");
    OutboxTable
        .enqueue(&mut tx, &job)
        .await
        .expect("enqueue the welcome email");
    tx.commit().await.expect("commit the fixture");
    user
}
// ANCHOR_END: fixture
