//! Some log lines are an interface: the worker binary's tests wait for them,
//! and a person on call searches for them. These tests read them in-process.

use std::{
    cell::RefCell,
    io::Write,
    sync::{Arc, Mutex, Once},
};

use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use user_service::{
    Jobs,
    worker::{self, Settings},
};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};

use crate::{
    deadline::{DEADLINE, within},
    helpers::{EMAIL_TIMEOUT, spawn_app, spawn_app_with},
    manual_clock::ManualClock,
};

thread_local! {
    /// Where this thread's log lines go, while a test captures them.
    static CAPTURE: RefCell<Option<Logs>> = const { RefCell::new(None) };
}

/// Everything logged on this test's thread while the guard lives. Tokio's
/// test runtime runs every task of the test on that one thread, the app's
/// included; other tests, on other threads, don't write here.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

/// Stops the capture when the test ends.
struct Capturing;

impl Drop for Capturing {
    fn drop(&mut self) {
        CAPTURE.with(|capture| capture.borrow_mut().take());
    }
}

impl Logs {
    fn capture() -> (Logs, Capturing) {
        // One subscriber for the whole test binary, installed once. A
        // per-thread one (`set_default`) is not enough: tracing caches, per
        // log statement, whether anyone listens, and with tests starting and
        // stopping subscribers on other threads, that cache can say "no one"
        // while this test listens. A global subscriber always listens; it
        // writes only for threads that capture.
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            tracing_subscriber::fmt()
                .with_writer(ThisThread)
                .with_ansi(false)
                .init();
        });
        let logs = Logs::default();
        CAPTURE.with(|capture| *capture.borrow_mut() = Some(logs.clone()));
        (logs, Capturing)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The global subscriber's writer: the capturing test's buffer, if this
/// thread has one, else nowhere.
struct ThisThread;

impl Write for ThisThread {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with(|capture| {
            if let Some(logs) = capture.borrow().as_ref() {
                logs.0.lock().unwrap().extend_from_slice(bytes);
            }
        });
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for ThisThread {
    type Writer = ThisThread;

    fn make_writer(&'a self) -> ThisThread {
        ThisThread
    }
}

/// A stale attempt's outcome is dropped, and the log says so, instead of
/// claiming a retry that never happens.
#[tokio::test]
async fn a_stale_attempt_says_it_lost_its_lease_and_the_later_one_says_sent() {
    let (logs, _guard) = Logs::capture();
    let app = spawn_app_with(Jobs::left_to_the_worker()).await;
    app.sign_up("ada@example.com").await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&app.email_server)
        .await;
    let failing_service = MockServer::start().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&failing_service)
        .await;
    let failing = std::sync::Arc::new(user_service::email::EmailClient::new(
        failing_service.uri().parse().unwrap(),
        EMAIL_TIMEOUT,
    ));
    let clock = ManualClock::starting_now();
    let settings = Settings {
        clock: clock.clone(),
        ..Settings::default()
    };
    let pool = app.pool();
    let stale = worker::claim_next(pool, &settings).await.unwrap().unwrap();
    clock.advance(settings.lease);
    let later = worker::claim_next(pool, &settings).await.unwrap().unwrap();

    within(
        DEADLINE,
        "an attempt to finish",
        worker::process(pool, &app.email_client(), &settings, &later),
    )
    .await
    .unwrap();
    within(
        DEADLINE,
        "an attempt to finish",
        worker::process(pool, &failing, &settings, &stale),
    )
    .await
    .unwrap();

    let text = logs.text();
    let id = later.id;
    assert!(
        text.contains(&format!("sent job {id}")),
        "expected attempt 2 to log `sent job {id}`; logs:\n{text}"
    );
    assert!(
        text.contains(&format!(
            "job {id}: attempt 1 lost its lease to a later attempt"
        )),
        "expected attempt 1 to log that it lost its lease; logs:\n{text}"
    );
    assert!(
        !text.contains("retrying in"),
        "a dropped outcome must not be logged as a retry; logs:\n{text}"
    );
}

/// A sign-up whose inline email fails logs that the email was left for the
/// worker; one whose email is accepted logs nothing of the kind.
#[tokio::test]
async fn a_failed_inline_email_is_logged_as_left_for_the_worker() {
    let (logs, _guard) = Logs::capture();
    let app = spawn_app().await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(200))
        .up_to_n_times(1)
        .mount(&app.email_server)
        .await;
    Mock::given(path("/send"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&app.email_server)
        .await;

    app.sign_up("ada@example.com").await; // the first email is accepted
    let after_success = logs.text();
    app.post_user(&json!({"name": "Bo", "email": "bo@example.com"}))
        .await; // the second one fails

    let left = "welcome email left pending for the worker";
    assert!(
        !after_success.contains(left),
        "a sent email is not left pending; logs:\n{after_success}"
    );
    assert!(
        logs.text().contains(left),
        "expected {left:?} after a failed email; logs:\n{}",
        logs.text()
    );
}
