//! The smallest integration test of a boundary, shown in "What integration
//! tests are": a stand-in server, a real HTTP client, assertions on both
//! sides. A listing rather than an inline block because it needs crates
//! (the book's inline blocks are std only); here, with the other wiremock
//! tests, `cargo test` builds and runs it like every listing.

// ANCHOR: smallest -- a stand-in, a real client, assertions on both sides
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, method, path},
};

/// The stand-in answers the one request it describes, and checks that it
/// arrived exactly once.
#[tokio::test]
async fn the_stand_in_answers_the_one_request_it_expects() {
    // The stand-in listens on 127.0.0.1 and answers only the request we
    // describe.
    let email_service = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(body_json(
            json!({"to": "ada@example.com", "template": "welcome"}),
        ))
        .respond_with(ResponseTemplate::new(202))
        .expect(1) // checked when `email_service` is dropped
        .mount(&email_service)
        .await;

    let response = reqwest::Client::new()
        .post(format!("{}/send", email_service.uri()))
        .json(&json!({"to": "ada@example.com", "template": "welcome"}))
        .send()
        .await
        .expect("the stand-in answers");

    assert_eq!(response.status(), 202);
}
// ANCHOR_END: smallest
