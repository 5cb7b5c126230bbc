//! The same sign-up, driven in-process: the router is called as a `tower`
//! service, with no socket and no HTTP client. Faster and simpler; use a
//! real socket when the test is about the server itself (timeouts, TLS,
//! connection handling, a client library's behaviour).

// ANCHOR: oneshot
use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt; // for `collect`
use serde_json::{Value, json};
use tower::ServiceExt; // for `oneshot`
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

use crate::helpers::test_config;

/// The router, called directly, creates the user like the served app does.
#[tokio::test]
async fn the_router_creates_a_user_without_a_socket() {
    let email_server = MockServer::start().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&email_server)
        .await;
    let db = testdb::fresh_database(&user_service::MIGRATOR).await;
    let router = user_service::app(test_config(&db, &email_server));

    let request = Request::post("/users")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"name": "Alan", "email": "alan@example.com"}).to_string(),
        ))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();

    assert_eq!(response.status(), StatusCode::CREATED);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let id = serde_json::from_slice::<Value>(&bytes).unwrap()["id"]
        .as_i64()
        .unwrap();
    let stored: String =
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(stored, "alan@example.com");
}
// ANCHOR_END: oneshot
