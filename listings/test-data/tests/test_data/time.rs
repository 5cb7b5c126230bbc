//! Time a test controls: a clock the test sets and moves.

use std::time::{Duration, UNIX_EPOCH};

use user_service::{
    MIGRATOR,
    email::EmailClient,
    worker::{self, Outcome},
};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

use crate::{builders::TestData, clock::TestClock, fixtures};

// ANCHOR: stored_time
/// A user the test builds is stored with the test clock's time, to the
/// microsecond, on every run.
#[tokio::test]
async fn a_built_user_is_stored_with_the_test_clocks_time() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    let mut data = TestData::new();
    data.clock.advance(Duration::from_secs(90));

    let user = data.user().insert(&db.pool).await;

    let stored: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM created_at)::float8 \
         FROM users WHERE id = $1",
    )
    .bind(user.id)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let expected = (TestClock::start() + Duration::from_secs(90))
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert_eq!(
        stored, expected,
        "expected created_at 90 s after the test clock's start \
         (2030-01-01T00:01:30Z)"
    );
}
// ANCHOR_END: stored_time

// ANCHOR: retry_time
/// A welcome email that failed is due again exactly one back-off later,
/// and not a second sooner.
#[tokio::test]
async fn a_failed_welcome_email_is_due_again_exactly_one_backoff_later() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    let mut data = TestData::new();
    let user = fixtures::user_owed_a_welcome_email(&db.pool, &mut data).await;
    let email_service = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&email_service)
        .await;
    let email = EmailClient::new(
        email_service.uri().parse().unwrap(),
        Duration::from_secs(2),
    );
    // The worker reads "now" from the test's clock, which only moves when
    // the test moves it: a one-minute back-off takes no time at all.
    let settings = worker::Settings {
        clock: data.clock.clone(),
        first_backoff: Duration::from_secs(60),
        ..worker::Settings::default()
    };

    let job = worker::claim_next(&db.pool, &settings)
        .await
        .unwrap()
        .expect("the fixture's job is due");
    let outcome = worker::process(&db.pool, &email, &settings, &job)
        .await
        .unwrap();
    assert!(
        matches!(outcome, Outcome::WillRetry { .. }),
        "expected a retry after a 503, got {outcome:?}"
    );

    data.clock.advance(Duration::from_secs(59));
    let too_early = worker::claim_next(&db.pool, &settings).await.unwrap();
    assert_eq!(
        too_early, None,
        "expected no job due 59 s after the failure"
    );

    data.clock.advance(Duration::from_secs(1));
    let due = worker::claim_next(&db.pool, &settings).await.unwrap();
    assert_eq!(
        due.map(|job| job.recipient),
        Some(user.email),
        "expected the job due again 60 s after the failure"
    );
}
// ANCHOR_END: retry_time
