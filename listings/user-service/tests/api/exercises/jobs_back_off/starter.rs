//! The starter: an ignored test that fails until you solve it.

use user_service::worker;
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::helpers::spawn_app;

// ANCHOR: starter
/// The inline attempt fails; the worker sends the email later.
#[tokio::test]
#[ignore = "exercise starter: the retry is not due yet: move the clock"]
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
        .mount(&app.email_server)
        .await;

    let drained = worker::drain(app.pool(), &app.email_client())
        .await
        .unwrap();

    assert_eq!(drained.sent, 1, "the worker sends the email: {drained:?}");
    assert_eq!(app.outbox_status(id).await, "sent");
}
// ANCHOR_END: starter
