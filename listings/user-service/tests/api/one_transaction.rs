//! The user and its welcome-email job are written in one transaction:
//! neither exists without the other. Two tests, one per side of the promise:
//! the app's (a job that can't be recorded takes the user down with it) and
//! the queue's (its row lives and dies with the caller's transaction).

use std::sync::Arc;

use serde_json::json;
use sqlx::PgConnection;
use user_service::{
    Jobs, MIGRATOR,
    jobs::{JobQueue, OutboxTable, WelcomeEmail},
};

use crate::helpers::spawn_app_with;

// ANCHOR: broken_queue -- a queue that always fails proves the user is not committed without its job
/// A queue that fails every time, as an outbox insert does when the table is
/// missing or the disk is full. Failing on purpose, on every run, is what
/// makes "what if recording the job fails?" a test instead of a hope.
struct BrokenQueue;

#[async_trait::async_trait]
impl JobQueue for BrokenQueue {
    async fn enqueue(
        &self,
        _tx: &mut PgConnection,
        _job: &WelcomeEmail,
    ) -> Result<(), sqlx::Error> {
        Err(sqlx::Error::Protocol(
            "the queue is broken on purpose".into(),
        ))
    }
}

/// When the welcome email can't be recorded, the sign-up fails and no user
/// is left behind: a user is never committed without the email it is owed.
#[tokio::test]
async fn a_job_that_cannot_be_recorded_leaves_no_user_behind() {
    let app = spawn_app_with(Jobs {
        queue: Arc::new(BrokenQueue),
        ..Jobs::left_to_the_worker()
    })
    .await;

    let response = app
        .post_user(&json!({"name": "Ada", "email": "ada@example.com"}))
        .await;

    assert_eq!(
        response.status(),
        500,
        "the sign-up can't succeed without its job"
    );
    assert_eq!(
        app.user_count().await,
        0,
        "the user's insert must roll back with the failed job"
    );
}
// ANCHOR_END: broken_queue

/// The outbox row is written in the caller's transaction: when that
/// transaction rolls back, the row is gone with the user.
#[tokio::test]
async fn an_outbox_row_rolls_back_with_the_callers_transaction() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    let mut tx = db.pool.begin().await.unwrap();
    let user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com') \
         RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let job = WelcomeEmail {
        user_id,
        recipient: "ada@example.com".into(),
        idempotency_key: format!("welcome-{user_id}"),
    };

    OutboxTable
        .enqueue(&mut tx, &job)
        .await
        .expect("the outbox row is written inside the transaction");
    tx.rollback().await.unwrap();

    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM email_outbox")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 0, "the job must roll back with the user");
}
