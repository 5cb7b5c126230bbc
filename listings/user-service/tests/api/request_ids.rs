//! One id finds the request, the job and the email: a sign-up's
//! `x-request-id` is kept with its job, and the worker sends it on the email
//! call, from another process, whenever it gets to the job.

use std::time::Duration;

use eventually::poll;
use serde_json::json;
use user_service::{Jobs, request_id::HEADER};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{header, path},
};

use crate::{
    deadline::{DEADLINE, within},
    helpers::spawn_app_with,
    worker_process::spawn_worker,
};

// ANCHOR: request_id_through_the_worker -- the sign-up's request id is stored with its job and sent by the worker process
/// A sign-up sent with an `x-request-id` leaves a job that keeps the id;
/// the worker process names it when it claims the job and sends it to the
/// email service with the email.
#[tokio::test]
async fn the_sign_ups_request_id_travels_with_its_job_to_the_email_service() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    // Only a call carrying the sign-up's id is answered; any other gets
    // wiremock's 404 and the job would stay pending.
    Mock::given(path("/send"))
        .and(header(HEADER, "signup-4711"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;

    let sign_up = app
        .http
        .post(format!("{}/users", app.address))
        .header(HEADER, "signup-4711")
        .json(&json!({"name": "Ada", "email": "ada@example.com"}))
        .send();
    let response = within(DEADLINE, "the sign-up's answer", sign_up)
        .await
        .expect("the app answers");
    assert_eq!(response.status(), 201);
    let id = response.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let (stored,): (Option<String>,) = sqlx::query_as(
        "SELECT request_id FROM email_outbox WHERE user_id = $1",
    )
    .bind(id)
    .fetch_one(app.pool())
    .await
    .unwrap();
    assert_eq!(
        stored.as_deref(),
        Some("signup-4711"),
        "the job keeps the id of the request that left it"
    );

    let mut worker = spawn_worker(&app, &[]);
    worker
        .wait_for_line("request signup-4711)", Duration::from_secs(30))
        .await;
    poll("the worker to send the email with the sign-up's id")
        .timeout(Duration::from_secs(30))
        .until(|| app.outbox_status(id), |status| status == "sent")
        .await;
}
// ANCHOR_END: request_id_through_the_worker
