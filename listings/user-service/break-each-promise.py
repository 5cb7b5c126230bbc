#!/usr/bin/env python3
"""Breaks each promise the user service's docs make, once, and shows which
test notices.

For every row below: make the smallest edit that removes the promise from
`listings/user-service/src`, run the one test that guards it, put the file
back, and print a Markdown table row with what the test said. A promise whose
test still passes is marked "NOT CAUGHT" and the script exits non-zero.

Run it from the workspace root, on a clean checkout with nothing else
building: it edits `src/` while it runs (and restores it, even on Ctrl-C).
About 20 rows, a build and one test each: a few minutes.

    python3 listings/user-service/break-each-promise.py
"""
import os, subprocess, sys

S = "listings/user-service/src/"
API = ["cargo", "test", "-q", "-p", "user-service", "--test", "api", "--",
       "--exact"]
R = [
 ("users.rs: the user and its job in one transaction",
  S+"users.rs", ".bind(email)\n    .fetch_optional(&mut *tx)", ".bind(email)\n    .fetch_optional(pool)",
  "user inserted outside the transaction (on the pool)",
  API+["one_transaction::a_job_that_cannot_be_recorded_leaves_no_user_behind"]),
 ("jobs.rs: the outbox row commits or rolls back with the caller's transaction",
  S+"jobs.rs", "        .execute(tx)\n        .await?;\n        Ok(())",
  "        .execute(&mut *tx)\n        .await?;\n        sqlx::query(\"COMMIT\").execute(&mut *tx).await?;\n        Ok(())",
  "enqueue commits the caller's transaction itself",
  API+["one_transaction::an_outbox_row_rolls_back_with_the_callers_transaction"]),
 ("jobs.rs/users.rs: the request and a worker take the job through the same claim",
  S+"worker.rs", "SET attempts = attempts + 1,\n             locked_until = to_timestamp($2),\n             locked_by = $3\n         WHERE idempotency_key",
  "SET attempts = attempts + 1,\n             locked_by = $3\n         WHERE idempotency_key",
  "the inline claim takes no lease",
  API+["nothing_lost::an_inline_attempt_and_a_worker_never_both_send"]),
 ("worker.rs: the inline attempt takes only a job nobody has touched",
  S+"worker.rs", "\n           AND attempts = 0 AND locked_until IS NULL", "",
  "claim_fresh without `attempts = 0 AND locked_until IS NULL`",
  API+["nothing_lost::the_inline_claim_leaves_alone_a_job_a_worker_holds"]),
 ("worker.rs: a claim never waits for another worker's lock (SKIP LOCKED)",
  S+"worker.rs", "FOR UPDATE SKIP LOCKED\",", "FOR UPDATE\",",
  "`SKIP LOCKED` removed",
  API+["nothing_lost::two_workers_claiming_at_the_same_moment_take_different_jobs"]),
 ("worker.rs: two workers never claim the same job (FOR UPDATE)",
  S+"worker.rs", "             LIMIT 1\n             FOR UPDATE SKIP LOCKED", "             LIMIT 1",
  "`FOR UPDATE SKIP LOCKED` removed",
  API+["nothing_lost::two_workers_claiming_at_the_same_moment_take_different_jobs"]),
 ("worker.rs: a leased job is not claimed again before its lease ends",
  S+"worker.rs", "               AND (locked_until IS NULL OR locked_until <= to_timestamp($1))\n", "",
  "the lease condition removed from the claim",
  API+["nothing_lost::a_silent_workers_job_is_taken_again_when_its_lease_runs_out"]),
 ("worker.rs: the heartbeat renews the lease while the email call runs",
  S+"worker.rs", "                    \"UPDATE email_outbox SET locked_until = to_timestamp($3)\n                     WHERE id = $1 AND attempts = $2\",",
  "                    \"SELECT $1::bigint, $2::int, $3::float8\",",
  "the renewing UPDATE replaced by a SELECT",
  API+["nothing_lost::a_slow_send_keeps_its_job_because_the_heartbeat_renews_the_lease"]),
 ("worker.rs: fencing: a stale attempt can't overwrite a later one's outcome",
  S+"worker.rs", "last_error = coalesce($5, last_error)\n         WHERE id = $1 AND attempts = $2",
  "last_error = coalesce($5, last_error)\n         WHERE id = $1 AND $2 > 0",
  "`attempts = $2` removed from the outcome's UPDATE",
  API+["nothing_lost::a_stale_worker_cannot_overwrite_a_later_attempts_outcome"]),
 ("worker.rs: retries are bounded (dead after max_attempts)",
  S+"worker.rs", "Err(error) if job.attempt >= settings.max_attempts =>", "Err(error) if false =>",
  "the `Dead` arm never taken",
  API+["flaky::a_failing_email_is_retried_after_growing_waits_then_dead"]),
 ("worker.rs: a job that crashes its worker every time dies",
  S+"worker.rs", "        if attempts >= settings.max_attempts {\n", "        if false {\n",
  "bury_unfinished never called",
  API+["nothing_lost::a_job_that_kills_every_worker_ends_up_dead"]),
 ("worker.rs: the wait doubles after each failure",
  S+"worker.rs", ".saturating_mul(1 << doublings)", ".saturating_mul(1 + doublings * 0)",
  "no doubling",
  API+["flaky::a_failing_email_is_retried_after_growing_waits_then_dead"]),
 ("worker.rs: the worker survives a database error",
  S+"worker.rs", "            if let Err(error) = self.drain().await {", "            if let Err(error) = Ok::<_, String>(self.drain().await.expect(\"the database answers\")) {",
  "a database error ends the worker",
  API+["worker_lifecycle::a_worker_outlives_a_database_error_and_sends_once_it_is_back"]),
 ("email.rs: every call is bounded by a timeout",
  S+"email.rs", "            .timeout(timeout)\n", "",
  "the client's `.timeout(timeout)` removed",
  API+["email_failures::a_slow_email_service_times_out_and_leaves_the_email_pending"]),
 ("request_id.rs/jobs.rs: the sign-up's request id is stored with its job",
  S+"jobs.rs", ".bind(request_id::current())", ".bind(None::<String>)",
  "the outbox row stores no request id",
  API+["request_ids::the_sign_ups_request_id_travels_with_its_job_to_the_email_service"]),
 ("worker.rs: the worker sends the job's request id with the email",
  S+"worker.rs", "    let sending = request_id::within(\n        job.request_id.clone(),", "    let sending = request_id::within(\n        None,",
  "the worker sends without the job's id",
  API+["request_ids::the_sign_ups_request_id_travels_with_its_job_to_the_email_service"]),
 ("bin/worker.rs: SIGTERM stops the worker after the job in hand",
  S+"bin/worker.rs", "                _ = terminate.recv() => {}\n", "",
  "SIGTERM no longer part of the shutdown signal",
  API+["worker_lifecycle::sigterm_lets_the_worker_finish_the_job_in_hand_then_exit"]),
 ("bin/worker.rs: a zero lease is refused",
  S+"bin/worker.rs", "settings.lease.is_zero() || ", "",
  "the lease check removed",
  API+["worker_lifecycle::the_worker_binary_names_each_setting_it_cannot_use"]),
 ("jobs.rs: Delivery::Worker leaves the email to the worker",
  S+"users.rs", "if jobs.delivery == Delivery::Inline {", "if jobs.delivery == jobs.delivery {",
  "the request always tries inline",
  API+["jobs::draining_the_queue_in_the_test_sends_the_welcome_email"]),
]



def what_it_said(output):
    """The first panic's message, on one line, without the backtrace."""
    lines = output.splitlines()
    for j, line in enumerate(lines):
        if "panicked at" in line:
            said = []
            for follow in lines[j + 1:j + 4]:
                if not follow.strip() or follow.startswith("stack backtrace"):
                    break
                said.append(follow.strip())
            return " ".join(said)
    return next((l for l in lines if l.startswith("error")), "(no panic)")


def cell(text, limit=220):
    # Paths of this machine's build directory would only be noise.
    for build_dir in (os.environ.get("CARGO_TARGET_DIR"),
                      os.path.join(os.getcwd(), "target")):
        if build_dir:
            text = text.replace(build_dir, "target")
    text = text.replace("|", "\\|").replace("`", "'")
    return text if len(text) <= limit else text[:limit] + " …"


only = sys.argv[1:]
missed = 0
print("| # | promise (file) | removed | test | what the test said |")
print("| --: | --- | --- | --- | --- |")
for i, (promise, path, old, new, removal, cmd) in enumerate(R, 1):
    if only and str(i) not in only:
        continue
    text = open(path).read()
    if text.count(old) != 1:
        sys.exit(f"row {i}: the code to remove is not in {path} exactly once")
    open(path, "w").write(text.replace(old, new))
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    finally:
        open(path, "w").write(text)
    if run.returncode == 0:
        missed += 1
        said = "NOT CAUGHT: the test passed"
    else:
        said = what_it_said(run.stdout + run.stderr)
    test = cmd[-1]
    print(f"| {i} | {promise} | {removal} | `{test}` | {cell(said)} |",
          flush=True)
sys.exit(1 if missed else 0)
