//! The solution: the same test, solved; `cargo test` runs it.

use user_service::worker::{Progress, Settings, Worker};
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::{helpers::spawn_app, manual_clock::ManualClock};

// ANCHOR: solution
/// The inline attempt fails; the worker sends the email later.
#[tokio::test]
async fn the_worker_sends_what_the_request_could_not() {
    let app = spawn_app().await; // the request tries once, inline
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&app.email_server)
        .await;
    let id = app.sign_up("ada@example.com").await;
    app.email_server.reset().await; // the email service is back
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;

    let clock = ManualClock::starting_now();
    let settings = Settings {
        clock: clock.clone(),
        ..Settings::default()
    };
    let wait = settings.backoff_after(1);
    let worker = Worker::new(app.pool().clone(), app.email_client(), settings);
    let early = worker.drain().await.unwrap();
    assert_eq!(
        early,
        Progress::default(),
        "nothing is due before the back-off"
    );

    clock.advance(wait);
    let drained = worker.drain().await.unwrap();

    assert_eq!(drained.sent, 1, "the worker sends the email: {drained:?}");
    assert_eq!(app.outbox_status(id).await, "sent");
}
// ANCHOR_END: solution
