//! One id per request: in the response, in the app's logs, and in the call
//! to the email service.

use std::time::Duration;

use serde_json::json;
use tracing::instrument::WithSubscriber;
use user_service::{AppConfig, MIGRATOR, app, request_id::HEADER, serve};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

use crate::{
    builders::TestData, helpers::spawn_reporting_app, logs::CapturedLogs,
};

/// The `x-request-id` of a response from a plain client, one that sets no
/// id unless told to.
async fn request_id_of(response: reqwest::Response) -> String {
    let value = response
        .headers()
        .get(HEADER)
        .expect("every response carries an x-request-id");
    value.to_str().expect("the id is text").to_owned()
}

/// A client that sends an id gets the same id back.
#[tokio::test]
async fn the_response_carries_the_request_id_the_client_sent() {
    let app = spawn_reporting_app().await;

    let response = reqwest::Client::new()
        .get(format!("{}/users/1", app.address))
        .header(HEADER, "support-ticket-4711")
        .send()
        .await
        .unwrap();

    assert_eq!(
        request_id_of(response).await,
        "support-ticket-4711",
        "expected the caller's id echoed back"
    );
}

/// A client that sends no id gets a fresh UUID, a different one each time.
#[tokio::test]
async fn a_request_without_an_id_gets_a_fresh_uuid() {
    let app = spawn_reporting_app().await;
    let client = reqwest::Client::new();

    let first = request_id_of(
        client
            .get(format!("{}/users/1", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let second = request_id_of(
        client
            .get(format!("{}/users/1", app.address))
            .send()
            .await
            .unwrap(),
    )
    .await;

    let looks_like_a_uuid =
        |id: &str| id.len() == 36 && id.matches('-').count() == 4;
    assert!(
        looks_like_a_uuid(&first) && looks_like_a_uuid(&second),
        "expected two UUIDs, got {first:?} and {second:?}"
    );
    assert_ne!(first, second, "expected a different id for each request");
}

// ANCHOR: flows
/// A sign-up's request id is in the app's log lines for it and in the
/// request the email service receives.
#[tokio::test]
async fn the_request_id_reaches_the_logs_and_the_email_service() {
    let app = spawn_reporting_app().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "message_id": "m-1" })),
        )
        .expect(1)
        .mount(&app.email_server)
        .await;
    let mut data = TestData::new();

    let reply = app.post_user(&data.user().json()).await;

    assert_eq!(
        reply.status, 201,
        "expected the sign-up to succeed, got {}: {}",
        reply.status, reply.body
    );
    let id = reply.request_id();
    let email_call = &app.email_server.received_requests().await.unwrap()[0];
    let forwarded =
        email_call.headers.get(HEADER).and_then(|v| v.to_str().ok());
    assert_eq!(
        forwarded,
        Some(id),
        "expected the email service to receive the request's id"
    );
    let logs = app.logs.text();
    let sent = logs.lines().find(|line| line.contains("sent job"));
    assert!(
        sent.is_some_and(|line| line.contains(&format!("request_id={id}"))),
        "expected the 'sent job' log line to carry request_id={id}; \
         the app logged:\n{logs}"
    );
}
// ANCHOR_END: flows

// ANCHOR: own_logs
/// Two apps running at once: each one's logs hold its own requests only.
#[tokio::test]
async fn each_app_captures_its_own_logs_only() {
    let (first, second) =
        tokio::join!(spawn_reporting_app(), spawn_reporting_app());
    let client = reqwest::Client::new();

    for (app, id) in
        [(&first, "to-the-first-app"), (&second, "to-the-second-app")]
    {
        client
            .get(format!("{}/users/1", app.address))
            .header(HEADER, id)
            .send()
            .await
            .unwrap();
    }

    let (first_logs, second_logs) = (first.logs.text(), second.logs.text());
    assert!(
        first_logs.contains("to-the-first-app")
            && !first_logs.contains("to-the-second-app"),
        "expected the first app's logs to hold its own request only, \
         got:\n{first_logs}"
    );
    assert!(
        second_logs.contains("to-the-second-app")
            && !second_logs.contains("to-the-first-app"),
        "expected the second app's logs to hold its own request only, \
         got:\n{second_logs}"
    );
}
// ANCHOR_END: own_logs

// ANCHOR: server_future
/// A subscriber around the server's future sees none of the requests: axum
/// handles each connection on a task of its own, which doesn't inherit it.
#[tokio::test]
async fn a_subscriber_around_the_server_future_misses_every_request() {
    let db = testdb::fresh_database(&MIGRATOR).await;
    let email_server = MockServer::start().await;
    let config = AppConfig {
        pool: db.pool.clone(),
        email_base_url: email_server.uri().parse().unwrap(),
        email_timeout: Duration::from_secs(2),
    };
    let logs = CapturedLogs::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        serve(listener, app(config)).with_subscriber(logs.subscriber()),
    );

    let response = reqwest::Client::new()
        .get(format!("{address}/users/1"))
        .header(HEADER, "lost")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 404, "expected the request to be served");
    assert!(
        !logs.text().contains("lost"),
        "expected this way of capturing to miss the request, but it got:\n{}",
        logs.text()
    );
}
// ANCHOR_END: server_future
