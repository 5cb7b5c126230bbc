#!/usr/bin/env python3
"""Times the same scenario checked three ways and prints a Markdown table.

Run from the workspace root:  PACT_DO_NOT_TRACK=true python3 listings/email-provider/measure.py

Each row runs one or two tests of the `contract` test binary on their own,
RUNS times, in a fresh process each time (so the Pact row includes recording
the pact file, as it does in CI). The build is not timed: it runs first.
"""
import json, os, statistics, subprocess, sys, time

RUNS = 9
ROWS = [
    ("wiremock stub", ["stubbed_provider::the_client_sends_a_welcome_email_to_the_stub"]),
    ("real provider, in-process", ["real_provider::the_client_sends_a_welcome_email_to_the_real_provider"]),
    ("Pact: consumer writes the pact", ["consumer_pact::the_consumer_records_what_it_needs_from_the_email_service"]),
    ("Pact: consumer + provider verification", [
        "consumer_pact::the_consumer_records_what_it_needs_from_the_email_service",
        "provider_verification::the_provider_honours_the_consumers_pact",
    ]),
]

if os.environ.get("PACT_DO_NOT_TRACK") != "true":
    sys.exit("set PACT_DO_NOT_TRACK=true (Pact otherwise tries to send usage metrics)")

build = subprocess.run(
    ["cargo", "test", "-p", "email-provider", "--features", "pact", "--test", "contract", "--no-run",
     "--message-format=json"],
    capture_output=True, text=True, check=True)
binary = next(m["executable"] for m in map(json.loads, build.stdout.splitlines())
              if m.get("reason") == "compiler-artifact" and m.get("executable")
              and m["target"]["name"] == "contract")

print(f"| checked against | tests | median of {RUNS} runs | fastest |")
print("|---|---|---|---|")
for label, tests in ROWS:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run = subprocess.run([binary, "--exact", *tests], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if run.returncode != 0 or f"{len(tests)} passed" not in run.stdout:
            sys.exit(f"{label}: the tests did not pass:\n{run.stdout}{run.stderr}")
    ms = lambda t: f"{t * 1000:.0f} ms"
    print(f"| {label} | {len(tests)} | {ms(statistics.median(times))} | {ms(min(times))} |")
