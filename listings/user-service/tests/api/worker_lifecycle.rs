//! The binaries' promises about their own lives: a database error doesn't
//! end the worker, SIGTERM never ends it in the middle of a job, and both
//! binaries refuse a setting they can't use, naming it.

use std::time::Duration;

use eventually::poll;
use user_service::Jobs;
use wiremock::{Mock, ResponseTemplate, matchers::path};

use crate::{
    deadline::{DEADLINE, within},
    helpers::spawn_app_with,
    worker_process::spawn_worker,
};

/// A worker whose database fails keeps running: it says so, rests, tries
/// again, and sends the email once the database answers again.
#[tokio::test]
async fn a_worker_outlives_a_database_error_and_sends_once_it_is_back() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&app.email_server)
        .await;
    let id = app.sign_up("ada@example.com").await;
    // The outbox is gone, as far as the worker can tell: every claim fails.
    sqlx::query("ALTER TABLE email_outbox RENAME TO email_outbox_away")
        .execute(app.pool())
        .await
        .unwrap();

    let mut worker = spawn_worker(&app, &[]);
    worker
        .wait_for_line("database error, trying again", Duration::from_secs(30))
        .await;
    sqlx::query("ALTER TABLE email_outbox_away RENAME TO email_outbox")
        .execute(app.pool())
        .await
        .unwrap();

    poll("the same worker to send the email once the table is back")
        .timeout(Duration::from_secs(30))
        .until(|| app.outbox_status(id), |status| status == "sent")
        .await;
}

/// SIGTERM while an email call is in flight: the worker finishes that job,
/// records it as sent, and exits cleanly.
#[tokio::test]
async fn sigterm_lets_the_worker_finish_the_job_in_hand_then_exit() {
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    // Slow enough that SIGTERM lands while the call is in flight, every run:
    // the signal goes as soon as the call arrives.
    Mock::given(path("/send"))
        .respond_with(
            ResponseTemplate::new(200).set_delay(Duration::from_secs(1)),
        )
        .expect(1)
        .mount(&app.email_server)
        .await;
    let mut worker = spawn_worker(&app, &[]);
    let id = app.sign_up("ada@example.com").await;
    poll("the worker's call to reach the email service")
        .until(
            || async {
                let received = app.email_server.received_requests().await;
                received.map_or(0, |requests| requests.len())
            },
            |calls| *calls == 1,
        )
        .await;

    worker.terminate().await;
    let status = worker.exit_status(Duration::from_secs(30)).await;

    assert!(status.success(), "expected a clean exit, got {status}");
    assert_eq!(
        app.outbox_status(id).await,
        "sent",
        "the job in hand is finished and recorded before the worker exits"
    );
}

/// Runs a binary of this package with exactly `env`, and returns its exit
/// status and what it printed on stderr.
async fn run_binary(
    binary: &str,
    env: &[(&str, &str)],
) -> (std::process::ExitStatus, String) {
    let run = tokio::process::Command::new(binary)
        .env_clear()
        .envs(env.iter().copied())
        .kill_on_drop(true)
        .output();
    let name = binary.rsplit('/').next().unwrap_or(binary);
    let output = within(DEADLINE, &format!("`{name}` to exit"), run)
        .await
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status, stderr)
}

/// Every setting the worker can't use stops it at once, with the variable's
/// name and what was wrong, before it touches the database (which, here,
/// does not exist).
#[tokio::test]
async fn the_worker_binary_names_each_setting_it_cannot_use() {
    let nowhere = ("DATABASE_URL", "postgres://127.0.0.1:9/none");
    let email = ("EMAIL_BASE_URL", "http://127.0.0.1:9/");
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[nowhere], "EMAIL_BASE_URL is not set"),
        (
            &[nowhere, ("EMAIL_BASE_URL", "not a url")],
            "EMAIL_BASE_URL is not a URL",
        ),
        (
            &[nowhere, email, ("WORKER_MAX_ATTEMPTS", "five")],
            "WORKER_MAX_ATTEMPTS=\"five\" is not a whole number",
        ),
        (
            &[nowhere, email, ("WORKER_LEASE_MS", "0")],
            "WORKER_LEASE_MS and WORKER_MAX_ATTEMPTS must be at least 1",
        ),
    ];

    for (env, expected) in cases {
        let (status, stderr) =
            run_binary(env!("CARGO_BIN_EXE_worker"), env).await;
        assert!(
            !status.success() && stderr.contains(expected),
            "with {env:?}: expected a failure saying {expected:?}; \
             got {status}, stderr: {stderr}"
        );
    }
}

/// The web service refuses a `WELCOME_EMAIL` it doesn't know, and names a
/// missing `DATABASE_URL`, instead of starting with a guess.
#[tokio::test]
async fn the_service_binary_names_each_setting_it_cannot_use() {
    let nowhere = ("DATABASE_URL", "postgres://127.0.0.1:9/none");
    let email = ("EMAIL_BASE_URL", "http://127.0.0.1:9/");
    let cases: [(&[(&str, &str)], &str); 2] = [
        (&[email], "DATABASE_URL is not set"),
        (
            &[nowhere, email, ("WELCOME_EMAIL", "later")],
            "WELCOME_EMAIL=\"later\": expected `inline` or `worker`",
        ),
    ];

    for (env, expected) in cases {
        let (status, stderr) =
            run_binary(env!("CARGO_BIN_EXE_user-service"), env).await;
        assert!(
            !status.success() && stderr.contains(expected),
            "with {env:?}: expected a failure saying {expected:?}; \
             got {status}, stderr: {stderr}"
        );
    }
}
