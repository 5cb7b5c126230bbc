//! Snapshot assertions, for the responses where the whole body matters.

use insta::{assert_json_snapshot, dynamic_redaction, internals::Content};
use serde_json::{Value, json};
use wiremock::{
    Mock, ResponseTemplate,
    matchers::{method, path},
};

use crate::helpers::spawn_reporting_app;

// ANCHOR: read_back
/// A user reads back exactly as it was created: every field, no extra one.
#[tokio::test]
async fn a_user_reads_back_exactly_as_it_was_created() {
    let app = spawn_reporting_app().await;
    // Spelt-out values, not fakes: a snapshot is compared with a file, so
    // the input must be the same on every run, whatever TEST_SEED says.
    let created = app
        .post_user(
            &json!({ "name": "Ada Lovelace", "email": "ada@example.test" }),
        )
        .await;
    assert_eq!(
        created.status, 201,
        "expected the sign-up to succeed, got {}: {}",
        created.status, created.body
    );
    let id = created.json()["id"]
        .as_i64()
        .expect("the 201 body has a numeric id");

    let reply = app.get_user(id).await;

    assert_eq!(
        reply.status, 200,
        "expected to read the user back, got {}: {}",
        reply.status, reply.body
    );
    // The id is whatever the database handed out: not part of the contract.
    assert_json_snapshot!(reply.json(), { ".id" => "[id]" });
}
// ANCHOR_END: read_back

// ANCHOR: email_request
/// The request the email service receives for a sign-up is exactly the one
/// its contract describes.
#[tokio::test]
async fn the_welcome_email_request_is_exactly_what_the_email_service_expects() {
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

    // A plain client that sends no request id: the app makes up a UUID.
    let response = reqwest::Client::new()
        .post(format!("{}/users", app.address))
        .json(&json!({ "name": "Ada Lovelace", "email": "ada@example.test" }))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 201, "expected the sign-up to succeed");
    let call = &app.email_server.received_requests().await.unwrap()[0];
    let header = |name: &str| {
        call.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let seen = json!({
        "method": call.method.as_str(),
        "path": call.url.path(),
        "headers": {
            "content-type": header("content-type"),
            "idempotency-key": header("idempotency-key"),
            "x-request-id": header("x-request-id"),
        },
        "body": call
            .body_json::<Value>()
            .expect("the email request's body is JSON"),
    });
    assert_json_snapshot!(seen, {
        // Built from the user's id: the database's choice.
        r#".headers["idempotency-key"]"# => "[welcome-<user id>]",
        // New on every run. Redacted only after checking it is a UUID, so a
        // missing or malformed id still fails the test.
        r#".headers["x-request-id"]"# => dynamic_redaction(|value: Content, _| {
            let id = value.as_str().unwrap_or_default();
            let is_uuid = id.len() == 36 && id.matches('-').count() == 4;
            assert!(is_uuid, "expected a UUID request id, got {value:?}");
            "[uuid]"
        }),
    });
}
// ANCHOR_END: email_request

// ANCHOR: stored_row
/// A sign-up stores exactly these columns, with a creation time.
#[tokio::test]
async fn a_sign_up_stores_exactly_these_columns() {
    let app = spawn_reporting_app().await;

    let created = app
        .post_user(
            &json!({ "name": "Ada Lovelace", "email": "Ada@Example.test" }),
        )
        .await;

    assert_eq!(
        created.status, 201,
        "expected the sign-up to succeed, got {}: {}",
        created.status, created.body
    );
    let row: String =
        sqlx::query_scalar("SELECT to_jsonb(users)::text FROM users")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let row: Value = serde_json::from_str(&row).unwrap();
    assert_json_snapshot!(row, {
        ".id" => "[id]",
        // The database's clock: a different time on every run.
        ".created_at" => dynamic_redaction(|value: Content, _| {
            let time = value.as_str().unwrap_or_default().as_bytes();
            // `2030-01-01T00:00:00…`: a dash at 4, a `T` at 10.
            let is_timestamp =
                time.len() >= 19 && time[4] == b'-' && time[10] == b'T';
            assert!(is_timestamp, "expected a timestamp, got {value:?}");
            "[timestamp]"
        }),
    });
}
// ANCHOR_END: stored_row

/// Asserts a snapshot into the folder `SNAPSHOT_DIR` names, where none
/// exists yet. Run by the next test, in a child process per environment.
#[ignore = "child process: run by the test below, once per environment"]
#[test]
fn child_asserts_a_snapshot_that_does_not_exist_yet() {
    let dir = std::env::var("SNAPSHOT_DIR").expect("SNAPSHOT_DIR is set");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| assert_json_snapshot!("new", json!({ "id": 1 })));
}

/// A missing snapshot fails the test unless `INSTA_UPDATE=always`, which
/// accepts it unseen; only a developer's machine leaves a `.snap.new`.
#[test]
fn insta_on_a_missing_snapshot_fails_unless_told_to_accept() {
    let cases = [
        ("nothing set", None, false, Some("new.snap.new")),
        ("CI=true", Some(("CI", "true")), false, None),
        ("INSTA_UPDATE=no", Some(("INSTA_UPDATE", "no")), false, None),
        (
            "INSTA_UPDATE=always",
            Some(("INSTA_UPDATE", "always")),
            true,
            Some("new.snap"),
        ),
    ];
    for (n, (setting, var, passes, written)) in cases.into_iter().enumerate() {
        let dir = std::env::temp_dir()
            .join(format!("insta-missing-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child =
            std::process::Command::new(std::env::current_exe().unwrap());
        child
            .args(["--ignored", "--exact"])
            .arg("snapshots::child_asserts_a_snapshot_that_does_not_exist_yet")
            .env("SNAPSHOT_DIR", &dir)
            .env_remove("CI")
            .env_remove("INSTA_UPDATE");
        if let Some((key, value)) = var {
            child.env(key, value);
        }
        let passed = child.output().unwrap().status.success();
        let files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();

        assert_eq!(
            passed, passes,
            "with {setting}: expected the test to pass: {passes}"
        );
        let expected: Vec<String> =
            written.into_iter().map(Into::into).collect();
        assert_eq!(files, expected, "with {setting}: files written");
    }
}
