//! Property tests of sign-up's validation: the unit-level partner of the
//! HTTP tests. An HTTP test checks a few chosen inputs end to end; a property
//! test checks one rule over hundreds of generated inputs in milliseconds.
//!
//! The validator is private to the app, so the properties reach it through
//! the router, in-process (`oneshot`: no socket), with a database pool that
//! points at a port nothing listens on. An input the validator refuses never
//! needs the database; one that slipped through would try it and get a 500.

use std::time::Duration;

use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt; // for `collect`
use proptest::{
    prelude::*,
    test_runner::{Config, RngSeed, TestCaseError, TestRunner},
};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tower::ServiceExt; // for `oneshot`
use user_service::{AppConfig, app};

use crate::seed;

// ANCHOR: no_database -- the app with a pool that can never connect
/// The app, with a pool that would fail if anything asked it for a
/// connection: port 1 on loopback has no PostgreSQL behind it.
fn app_without_a_database() -> Router {
    let nowhere = PgConnectOptions::new().host("127.0.0.1").port(1);
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(200))
        .connect_lazy_with(nowhere);
    app(AppConfig {
        pool,
        email_base_url: "http://127.0.0.1:1".parse().unwrap(),
        email_timeout: Duration::from_millis(200),
    })
}

/// `POST /users` in-process; the status and the JSON body.
async fn sign_up(app: &Router, body: Value) -> (StatusCode, Value) {
    let request = Request::post("/users")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}
// ANCHOR_END: no_database

// ANCHOR: check -- hundreds of cases from the run's seed, replayable
/// Runs `property` on `cases` values drawn from `strategy`, with the run's
/// seed (`TEST_SEED`, pinned in CI), mixed with the test's name as
/// `TestData` does. On failure: the smallest failing input proptest could
/// shrink to, the seed, and the command that replays it.
fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let test = seed::current_test();
    let run_seed = seed::run_seed();
    let mut runner = TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(run_seed ^ seed::stable_hash(&test)),
        // No `proptest-regressions/` files: the printed seed replays a
        // failure, and CI should not write into the source tree.
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(failure) = runner.run(&strategy, property) {
        panic!(
            "{failure}\nreplay with:\n  {}",
            seed::replay_command(run_seed, &test)
        );
    }
}

/// The app and a runtime to drive it: the runner calls the property
/// synchronously, so each case blocks on its request.
struct Validator {
    runtime: tokio::runtime::Runtime,
    app: Router,
}

impl Validator {
    fn start() -> Validator {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // Inside the runtime: the pool starts its housekeeping task there.
        let app = runtime.block_on(async { app_without_a_database() });
        Validator { runtime, app }
    }

    fn sign_up(&self, body: Value) -> (StatusCode, Value) {
        self.runtime.block_on(sign_up(&self.app, body))
    }
}
// ANCHOR_END: check

/// A valid email, so that only the name decides.
const EMAIL: &str = "ada@example.test";

// ANCHOR: properties
/// Any name that is only whitespace (spaces, tabs, newlines, an
/// ideographic space) is refused as empty, before the database.
#[test]
fn a_name_of_only_whitespace_is_refused_as_empty() {
    let app = Validator::start();
    let blank = proptest::collection::vec(
        prop::sample::select(vec![' ', '\t', '\n', '\r', '\u{3000}']),
        0..20,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>());

    check(200, blank, |name| {
        let (status, body) =
            app.sign_up(json!({ "name": name, "email": EMAIL }));
        prop_assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        prop_assert_eq!(&body["detail"], "name must not be empty");
        Ok(())
    });
}

/// Any name longer than 200 characters once trimmed is refused, whatever
/// the characters (multi-byte ones count as one).
#[test]
fn a_name_over_200_characters_is_refused() {
    let app = Validator::start();
    let too_long = "[a-zé日 ]{0,5}[a-zé日]{201,260}[ ]{0,5}";

    check(100, too_long, |name| {
        let (status, body) =
            app.sign_up(json!({ "name": name, "email": EMAIL }));
        prop_assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        prop_assert_eq!(&body["detail"], "name must be at most 200 characters");
        Ok(())
    });
}

/// Any email without an `@` is refused, and the answer names the address
/// as the app saw it (trimmed, lower-cased).
#[test]
fn an_email_without_an_at_sign_is_refused() {
    let app = Validator::start();
    let no_at = "[A-Za-z0-9._%+-]{1,30}";

    check(200, no_at, |email| {
        let (status, body) =
            app.sign_up(json!({ "name": "Ada", "email": email }));
        prop_assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let detail = body["detail"].as_str().unwrap_or_default();
        prop_assert!(
            detail.contains(&email.to_lowercase()),
            "expected the detail to quote {:?}, got {:?}",
            email.to_lowercase(),
            detail
        );
        Ok(())
    });
}
// ANCHOR_END: properties

// ANCHOR: partner -- what a property does not see, an HTTP test does
/// The other side of the rule: a name of 200 characters with spaces round
/// it passes the validator, and so reaches the database, which here isn't
/// there (500). That 500 is the proof it got past validation; whether the
/// user is then stored is for the HTTP tests against a real database.
#[test]
fn a_name_of_exactly_200_characters_gets_past_the_validator() {
    let app = Validator::start();
    let name = format!("  {}  ", "é".repeat(200));

    let (status, body) = app.sign_up(json!({ "name": name, "email": EMAIL }));

    assert_eq!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "expected validation to pass and the missing database to answer, \
         got {status}: {body}"
    );
}
// ANCHOR_END: partner

/// A failing property reports the smallest input that fails (shrunk from
/// whatever was drawn first) and the command that replays the run.
#[test]
fn a_failing_property_prints_its_smallest_input_and_how_to_replay_it() {
    let failed = std::panic::catch_unwind(|| {
        check(100, 0..1000u32, |n| {
            prop_assert!(n < 7, "{} is not below 7", n);
            Ok(())
        })
    });

    let payload = failed.expect_err("expected the property to fail");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.contains("minimal failing input: 7"),
        "expected proptest to shrink to 7, got:\n{message}"
    );
    assert!(
        message.contains("TEST_SEED=") && message.contains("--exact"),
        "expected the replay command, got:\n{message}"
    );
}
