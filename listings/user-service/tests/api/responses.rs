//! Every response a client can get, body included. A client branches on the
//! status and on `error`, and a person reads `detail`: all three are part of
//! the API, so each is pinned whole, not "some 4xx with some JSON". Pinning
//! the whole body is also what proves a client never sees SQL, a table or
//! constraint name, or an internal error's text.

use axum::{body::Body, http::Request};
use http_body_util::BodyExt; // for `collect`
use serde_json::{Value, json};
use sqlx::postgres::PgPoolOptions;
use tower::ServiceExt; // for `oneshot`
use wiremock::MockServer;

use crate::helpers::{TestApp, spawn_app, test_config};

/// What a client receives: the status, the content type and the body.
#[derive(Debug, PartialEq)]
struct Seen {
    status: u16,
    content_type: String,
    body: Value,
}

impl Seen {
    async fn from(response: reqwest::Response) -> Seen {
        let status = response.status().as_u16();
        let content_type = content_type(response.headers());
        let text = response.text().await.expect("a body can be read");
        Seen::parse(status, content_type, &text)
    }

    fn parse(status: u16, content_type: String, text: &str) -> Seen {
        // A body that isn't JSON is kept as a string, so the failure message
        // shows what the client got instead of a parse error.
        let body = serde_json::from_str(text)
            .unwrap_or_else(|_| Value::String(text.into()));
        Seen {
            status,
            content_type,
            body,
        }
    }

    /// What every error of this API looks like.
    fn error(status: u16, error: &str, detail: &str) -> Seen {
        Seen {
            status,
            content_type: "application/json".into(),
            body: json!({"error": error, "detail": detail}),
        }
    }
}

fn content_type(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// One request a client may send, in the form the table below reads best.
struct Call {
    case: &'static str,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: String,
}

impl TestApp {
    async fn call(&self, call: &Call) -> Seen {
        let method = call.method.parse().expect("a valid method");
        let mut request = self
            .http
            .request(method, format!("{}{}", self.address, call.path))
            .timeout(crate::deadline::DEADLINE)
            .body(call.body.clone());
        if let Some(content_type) = call.content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap_or_else(|e| {
            panic!("{}: the app answers within the deadline: {e}", call.case)
        });
        Seen::from(response).await
    }
}

fn post_json(case: &'static str, body: &str) -> Call {
    Call {
        case,
        method: "POST",
        path: "/users".into(),
        content_type: Some("application/json"),
        body: body.into(),
    }
}

fn without_body(
    case: &'static str,
    method: &'static str,
    path: impl Into<String>,
) -> Call {
    Call {
        case,
        method,
        path: path.into(),
        content_type: None,
        body: String::new(),
    }
}

/// Every refusal a client can get while the database is up: the status axum
/// or our validation picks, and the whole JSON body that explains it.
#[tokio::test]
async fn every_refusal_has_its_status_and_its_whole_json_body() {
    let app = spawn_app().await;
    let taken = app.sign_up("taken@example.com").await;
    let oversized = format!(
        r#"{{"name": "{}", "email": "big@example.com"}}"#,
        "x".repeat(20_000)
    );
    let invalid = "invalid_field";
    let bad_body = "bad_request_body";
    let cases = [
        (
            post_json("malformed JSON", r#"{"name": "Ada","#),
            Seen::error(
                400,
                bad_body,
                "Failed to parse the request body as JSON: EOF while \
                 parsing a value at line 1 column 15",
            ),
        ),
        (
            Call {
                content_type: Some("application/x-www-form-urlencoded"),
                ..post_json("a form, not JSON", "name=Ada")
            },
            Seen::error(
                415,
                bad_body,
                "Expected request with `Content-Type: application/json`",
            ),
        ),
        (
            Call {
                content_type: None,
                ..post_json("no content type", r#"{"name": "Ada"}"#)
            },
            Seen::error(
                415,
                bad_body,
                "Expected request with `Content-Type: application/json`",
            ),
        ),
        (
            post_json("oversized body", &oversized),
            Seen::error(
                413,
                bad_body,
                "Failed to buffer the request body: length limit exceeded",
            ),
        ),
        (
            post_json("missing email", r#"{"name": "Ada"}"#),
            Seen::error(
                422,
                bad_body,
                "Failed to deserialize the JSON body into the target type: \
                 missing field `email` at line 1 column 15",
            ),
        ),
        (
            post_json(
                "unknown field",
                r#"{"name": "Ada", "email": "a@example.com", "admin": 1}"#,
            ),
            Seen::error(
                422,
                bad_body,
                "Failed to deserialize the JSON body into the target type: \
                 admin: unknown field `admin`, expected `name` or `email` at \
                 line 1 column 49",
            ),
        ),
        (
            post_json(
                "a number for a name",
                r#"{"name": 7, "email": "a@b.c"}"#,
            ),
            Seen::error(
                422,
                bad_body,
                "Failed to deserialize the JSON body into the target type: \
                 name: invalid type: integer `7`, expected a string at line \
                 1 column 10",
            ),
        ),
        (
            post_json("blank name", r#"{"name": " ", "email": "a@b.c"}"#),
            Seen::error(422, invalid, "name must not be empty"),
        ),
        (
            post_json(
                "name too long",
                &json!({"name": "n".repeat(201), "email": "a@b.c"}).to_string(),
            ),
            Seen::error(422, invalid, "name must be at most 200 characters"),
        ),
        (
            post_json(
                "a NUL in the name",
                r#"{"name": "A\u0000da", "email": "a@b.c"}"#,
            ),
            Seen::error(422, invalid, "name must not contain NUL"),
        ),
        (
            post_json(
                "a NUL in the email",
                r#"{"name": "Ada", "email": "a\u0000@b.c"}"#,
            ),
            Seen::error(
                422,
                invalid,
                r#""a\0@b.c" is not a valid email address"#,
            ),
        ),
        (
            post_json("blank email", r#"{"name": "Ada", "email": " "}"#),
            Seen::error(422, invalid, "email must not be empty"),
        ),
        (
            post_json("no @", r#"{"name": "Ada", "email": "Not-An-Email"}"#),
            Seen::error(
                422,
                invalid,
                r#""not-an-email" is not a valid email address"#,
            ),
        ),
        (
            post_json(
                "taken, in another case",
                r#"{"name": "Ada", "email": " TAKEN@example.com"}"#,
            ),
            Seen::error(
                409,
                "email_taken",
                "a user with this email already exists",
            ),
        ),
        (
            without_body("an id nobody has", "GET", "/users/424242"),
            Seen::error(404, "not_found", "no user with this id"),
        ),
        (
            without_body("an id that is no number", "GET", "/users/ada"),
            Seen::error(400, "bad_id", "the user id must be a whole number"),
        ),
        (
            without_body(
                "an id too big for a BIGINT",
                "GET",
                "/users/9223372036854775808",
            ),
            Seen::error(400, "bad_id", "the user id must be a whole number"),
        ),
        (
            without_body("a path the API doesn't have", "GET", "/accounts"),
            Seen::error(404, "not_found", "no such path"),
        ),
        (
            without_body("listing users", "GET", "/users"),
            Seen::error(405, "method_not_allowed", "GET is not allowed here"),
        ),
        (
            without_body(
                "deleting a user",
                "DELETE",
                format!("/users/{taken}"),
            ),
            Seen::error(
                405,
                "method_not_allowed",
                "DELETE is not allowed here",
            ),
        ),
    ];

    // Every case is tried before failing, so one run lists every response
    // that changed, not just the first.
    let mut changed = Vec::new();
    for (call, expected) in cases {
        let seen = app.call(&call).await;
        if seen != expected {
            changed.push(format!(
                "{}:\n  expected {expected:?}\n  got      {seen:?}",
                call.case
            ));
        }
    }
    assert!(
        changed.is_empty(),
        "responses changed:\n{}",
        changed.join("\n")
    );
    assert_eq!(
        app.user_count().await,
        1,
        "only the first sign-up is stored"
    );
}

/// The two answers that succeed carry exactly what the docs promise: the new
/// id, and the stored user as it was normalised.
#[tokio::test]
async fn a_sign_up_answers_its_id_and_a_read_answers_the_stored_user() {
    let app = spawn_app().await;

    let created = app
        .call(&post_json(
            "sign-up",
            r#"{"name": " Ada ", "email": "Ada@Example.com"}"#,
        ))
        .await;
    let id = created.body["id"].as_i64().expect("the 201 body has an id");
    let read = app
        .call(&without_body("read back", "GET", format!("/users/{id}")))
        .await;

    let json = |status, body| Seen {
        status,
        content_type: "application/json".into(),
        body,
    };
    assert_eq!(created, json(201, json!({"id": id})), "only the id");
    assert_eq!(
        read,
        json(
            200,
            json!({"id": id, "name": "Ada", "email": "ada@example.com"})
        ),
        "trimmed name, lower-cased email, nothing else"
    );
}

// ANCHOR: database_gone
/// The words a database error is made of. None may reach a client.
const INTERNALS: [&str; 8] = [
    "users",
    "email_outbox",
    "relation",
    "constraint",
    "SELECT",
    "INSERT",
    "sqlx",
    "pool",
];

/// Asks the router for a sign-up and a read, in-process, and checks that
/// each is a 500 with the one generic body, naming nothing inside.
async fn both_endpoints_answer_a_bare_500(router: axum::Router, why: &str) {
    let sign_up = Request::post("/users")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"name": "Ada", "email": "ada@example.com"}"#))
        .unwrap();
    let read = Request::get("/users/1").body(Body::empty()).unwrap();

    for request in [sign_up, read] {
        let what = format!("{why}: {} {}", request.method(), request.uri());
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes);

        let leaked: Vec<_> = INTERNALS
            .iter()
            .filter(|word| text.to_lowercase().contains(&word.to_lowercase()))
            .collect();
        assert!(leaked.is_empty(), "{what}: {leaked:?} leaked in {text}");
        assert_eq!(
            Seen::parse(status, content_type, &text),
            Seen::error(500, "internal", "internal error"),
            "{what}"
        );
    }
}

/// The app's database is unreachable (here: its pool is closed). The
/// client learns that something failed on our side, and nothing else.
#[tokio::test]
async fn with_the_database_gone_a_client_gets_a_bare_500() {
    let db = testdb::fresh_database(&user_service::MIGRATOR).await;
    let email_server = MockServer::start().await;
    // A pool of the app's own, so closing it leaves the test's pool alone.
    let pool = PgPoolOptions::new()
        .connect_with(db.connect_options())
        .await
        .expect("connect to the test database");
    pool.close().await;
    let config = user_service::AppConfig {
        pool,
        ..test_config(&db, &email_server)
    };

    both_endpoints_answer_a_bare_500(user_service::app(config), "pool closed")
        .await;
}

/// The tables are gone, so PostgreSQL's error names them
/// (`relation "users" does not exist`): the text a careless error handler
/// would pass on.
#[tokio::test]
async fn with_the_tables_gone_no_sql_error_reaches_the_client() {
    let db = testdb::fresh_database(&user_service::MIGRATOR).await;
    let email_server = MockServer::start().await;
    sqlx::query("DROP TABLE email_outbox, users")
        .execute(&db.pool)
        .await
        .expect("drop the app's tables");
    let router = user_service::app(test_config(&db, &email_server));

    both_endpoints_answer_a_bare_500(router, "tables dropped").await;
}
// ANCHOR_END: database_gone

// ANCHOR: below_an_existing_id
/// An id just below one that exists is still nobody's. A read by id must
/// match the id exactly: with `id >= $1` instead of `id = $1` this read
/// would answer with the next user, and a test that only asks for an id
/// far above every user (or an empty table) can't tell.
#[tokio::test]
async fn an_id_just_below_an_existing_user_is_a_404() {
    let app = spawn_app().await;
    let id = app.sign_up("ada@example.com").await;

    let seen = app
        .call(&without_body(
            "below ada",
            "GET",
            format!("/users/{}", id - 1),
        ))
        .await;

    assert_eq!(seen, Seen::error(404, "not_found", "no user with this id"));
}
// ANCHOR_END: below_an_existing_id
