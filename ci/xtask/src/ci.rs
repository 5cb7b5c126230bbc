//! `cargo xtask ci`: the whole CI run, what `.ci/run` calls.
//!
//! Nothing is skipped silently: a step that cannot run says so and why, and
//! with CI=true a missing prerequisite fails the run instead.

use std::{collections::BTreeSet, path::Path, time::Instant};

use anyhow::{Result, bail};

use crate::{
    disk, libtest, tools,
    util::{self, at_least, cmd, exec},
};

#[derive(clap::Args)]
pub struct Args {
    /// Print the steps' names and what each does, and run nothing.
    #[arg(long)]
    list: bool,
    /// Only these steps, in CI's order (default: every step).
    #[arg(value_name = "STEP", value_parser = step_names())]
    steps: Vec<String>,
}

fn step_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(STEPS.iter().map(|s| s.0))
}

/// The seed of the random-data tests in CI: fixed, so a failure replays
/// with the same data; printed, so the replay command is known.
pub const CI_TEST_SEED: &str = "20261130";

/// Fewer tests than these means a crate or a binary went missing.
const MIN_TESTS: usize = 200;
/// The same without the container tests and doc tests, under nextest.
const MIN_NEXTEST: usize = 180;
const MIN_CONTAINER_TESTS: usize = 5;
const MIN_CONTRACT_TESTS: usize = 3;
const MIN_SNIPPETS: usize = 1;

/// What the steps share.
pub struct Ctx {
    pub docker: bool,
    /// The images' build, started with the run: it waits on Debian's
    /// mirror and the disk while the tools step compiles mdbook.
    images: Option<std::thread::JoinHandle<Result<(bool, String)>>>,
    /// What the suite's leftovers check must not count (there before).
    pub before: BTreeSet<String>,
}

type StepFn = fn(&mut Ctx) -> Result<()>;

/// Every step, in the order CI runs them.
const STEPS: &[(&str, &str, StepFn)] = &[
    ("tools", "tools (installed when missing)", install),
    (
        "image",
        "container image (built from Debian packages)",
        image,
    ),
    ("fmt", "cargo fmt --all --check", fmt),
    (
        "clippy",
        "cargo clippy --workspace --all-targets -D warnings",
        clippy,
    ),
    ("test", "cargo test --workspace (containers included)", test),
    (
        "features",
        "cargo test -p X rebuilds no dependency",
        features,
    ),
    (
        "nextest",
        "cargo nextest run --workspace, network: loopback only",
        nextest,
    ),
    ("pact", "contract tests (Pact, the 'pact' feature)", pact),
    ("compose", "compose smoke test", compose),
    (
        "lint",
        "test-lint: the checklist over the workspace's tests",
        lint,
    ),
    (
        "broken",
        "broken listings: counted, each proven and fixed",
        broken,
    ),
    (
        "workflows",
        "GitHub Actions workflows lint (offline)",
        workflows,
    ),
    ("outputs", "shown outputs match a fresh run", outputs),
    ("book", "mdbook build and mdbook test", book),
    (
        "exercises",
        "exercises: every starter fails, every solution passes",
        exercises,
    ),
    ("schedule", "course timetables match the minutes", schedule),
    ("spelling", "spelling (typos)", spelling),
    (
        "browser",
        "the book in a real browser (Chromium + Playwright)",
        browser,
    ),
    ("handout", "course handout (A4 PDF, read back)", handout),
    (
        "student-bundle",
        "starter bundle unpacked: warm-up, starters",
        bundle,
    ),
    (
        "take-home",
        "testdb in a scratch project (take it home)",
        take_home,
    ),
    ("leftovers", "no leftovers", leftovers),
];

pub fn run(args: Args) -> Result<()> {
    if args.list {
        for (name, title, _) in STEPS {
            println!("{name:<12} {title}");
        }
        return Ok(());
    }
    set_test_env();
    println!(
        "TEST_SEED={} (random test data is drawn from it; a failure replays \
         with TEST_SEED=<this> cargo test …)",
        util::var_os("TEST_SEED")
            .unwrap_or_default()
            .to_string_lossy()
    );
    if util::is_ci() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        // A CI run builds each crate once: incremental caches only cost
        // disk (3 GB of the 15 GB a cold run wrote before this was set).
        util::set_child_env("CARGO_INCREMENTAL", "0");
    }
    util::use_local_image();
    let docker = util::docker_ok();
    let wanted =
        args.steps.is_empty() || args.steps.iter().any(|s| s == "image");
    if docker && wanted && !util::have("debootstrap") {
        // The images' one package on this machine, installed first: the
        // tools step's apt-get would clash with theirs (dpkg's lock).
        util::apt_install(&["debootstrap"])?;
    }
    let images = (docker && wanted).then(|| {
        std::thread::spawn(|| util::capture(cmd(&["sh", "-c", IMAGES])))
    });
    let mut ctx = Ctx {
        docker,
        images,
        before: crate::leftovers::snapshot(),
    };
    disk::enough_disk()?;
    let started = Instant::now();
    let (times, failed) = run_steps(&args.steps, &mut ctx);
    println!("\n=== step times (and how busy both cores were) ===");
    for (name, secs, busy) in &times {
        let busy = busy.map_or("n/a".into(), |b| format!("{b:.0} %"));
        println!("{name:<12} {secs:>7.1} s  cpu {busy:>5}");
    }
    println!("\n{}", disk::target_size());
    println!(
        "\ncargo xtask ci: {} of {} steps passed in {:.0} s",
        times.len(),
        STEPS.len(),
        started.elapsed().as_secs_f64()
    );
    failed.map_or(Ok(()), Err)
}

/// The test environment of CI, for every program started from now on:
/// random test data from the fixed seed (unless TEST_SEED says another),
/// and a snapshot test with no committed snapshot fails, never writes one.
pub fn set_test_env() {
    if util::var_os("TEST_SEED").is_none() {
        util::set_child_env("TEST_SEED", CI_TEST_SEED);
    }
    util::set_child_env("INSTA_UPDATE", "no");
}

/// A step's name, seconds, and how busy the cores were (percent).
type StepTime = (&'static str, f64, Option<f64>);

/// Runs the steps `only` names (every step when it names none), in
/// order; returns each one's time and how busy the CPUs were meanwhile
/// (a step well under 100 % waits on something, and could share them),
/// up to the first step that failed, with its error.
fn run_steps(
    only: &[String],
    ctx: &mut Ctx,
) -> (Vec<StepTime>, Option<anyhow::Error>) {
    let mut times = Vec::new();
    for (name, title, step) in STEPS {
        if !only.is_empty() && !only.iter().any(|a| a == name) {
            continue;
        }
        util::step(title);
        let (t, cpu) = (Instant::now(), cpu_jiffies());
        if let Err(e) = step(ctx) {
            return (times, Some(e.context(format!("step `{name}`"))));
        }
        let busy = cpu.zip(cpu_jiffies()).map(|((b0, t0), (b1, t1))| {
            100.0 * (b1 - b0) as f64 / (t1 - t0).max(1) as f64
        });
        times.push((*name, t.elapsed().as_secs_f64(), busy));
    }
    (times, None)
}

/// Busy and total time of all CPUs since boot, in ticks (Linux's
/// /proc/stat: user nice system idle iowait irq softirq steal); None
/// elsewhere.
fn cpu_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu = stat.lines().next()?.split_whitespace().skip(1).take(8);
    let ticks: Vec<u64> = cpu.filter_map(|t| t.parse().ok()).collect();
    let (total, idle) = (ticks.iter().sum(), ticks.get(3)? + ticks.get(4)?);
    Some((total - idle, total))
}

fn install(_: &mut Ctx) -> Result<()> {
    // mdbook compiles (the CPU) while the rest download (the network).
    let mdbook = std::thread::spawn(tools::ensure_mdbook);
    tools::ensure_postgres()?;
    tools::ensure_nextest()?;
    tools::ensure_chromium()?;
    tools::ensure_pip("typos", "typos")?;
    tools::ensure_pip("check-jsonschema", "check-jsonschema")?;
    tools::ensure_pip("zizmor", "zizmor")?;
    tools::ensure_python_module("playwright.sync_api", "playwright")?;
    let built = mdbook.join().map_err(|_| anyhow::anyhow!("panicked"))?;
    built.map_err(|e| e.context("installing mdbook"))?;
    println!("tools: all present");
    Ok(())
}

/// The container images, built from Debian's packages (no registry).
const IMAGES: &str = "ci/images/build-postgres && ci/images/build-redis";

fn image(ctx: &mut Ctx) -> Result<()> {
    if !ctx.docker {
        return util::skip(
            "the container image",
            "no Docker engine reachable (start Docker, or set DOCKER_HOST)",
        );
    }
    let images = ctx.images.take().map(|build| build.join());
    let (ok, out) = match images {
        Some(joined) => joined.map_err(|_| anyhow::anyhow!("panicked"))??,
        None => util::capture(cmd(&["sh", "-c", IMAGES]))?,
    };
    print!("{out}");
    if !ok {
        bail!("the images did not build (above: what the scripts said)");
    }
    util::set_local_image();
    Ok(())
}

fn fmt(_: &mut Ctx) -> Result<()> {
    exec(cmd(&["cargo", "fmt", "--all", "--check"]))?;
    println!("fmt: every crate is rustfmt-clean (max_width 80)");
    Ok(())
}

fn clippy(_: &mut Ctx) -> Result<()> {
    exec(cmd(&[
        "cargo",
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    println!("clippy: no warnings in any crate or target");
    Ok(())
}

/// Runs a cargo command, echoing its output, and reads the results.
fn cargo_tests(c: std::process::Command) -> Result<(bool, libtest::Run)> {
    let shown = util::show(&c);
    let (ok, out) = util::tee(c)?;
    let run = if shown.contains("nextest") {
        libtest::parse_nextest(&out)
    } else {
        libtest::parse_libtest(&out)
    };
    Ok((ok, run))
}

fn counts(label: &str, run: &libtest::Run) {
    println!(
        "{label}: {} passed, {} failed, {} ignored (each ignored test says \
         why, and another test or command runs it)",
        run.passed, run.failed, run.ignored
    );
}

fn test(ctx: &mut Ctx) -> Result<()> {
    if !ctx.docker {
        util::skip(
            "the container tests",
            "no Docker engine reachable; each prints `skipped: no Docker`",
        )?;
    }
    let (ok, run) =
        cargo_tests(cmd(&["cargo", "test", "--workspace", "--no-fail-fast"]))?;
    counts("cargo test", &run);
    let containers = run.passed_in("containers");
    let snippets = run.passed_in("skeptic");
    println!("container tests (testcontainers): {containers} passed");
    println!("inline book blocks (skeptic): {snippets} passed");
    for f in run.failures() {
        println!("FAILED: {}: {}", f.binary, f.name);
    }
    if !ok {
        bail!("cargo test failed");
    }
    at_least("tests passed", run.passed, MIN_TESTS)?;
    at_least("inline book blocks run", snippets, MIN_SNIPPETS)?;
    if ctx.docker {
        at_least("container tests passed", containers, MIN_CONTAINER_TESTS)?;
    }
    Ok(())
}

fn nextest(ctx: &mut Ctx) -> Result<()> {
    tools::ensure_nextest()?;
    // Everything but the container tests, in a network namespace with only
    // loopback: if a test reached off the machine, it would fail here.
    let inner = "ip link set lo up && exec cargo nextest run --workspace \
                 --offline --no-fail-fast -E 'not package(containers)'";
    if util::is_root() && !util::have("ip") {
        // `ip` brings loopback up inside the namespace; minimal images lack it.
        let _ = util::apt_install(&["iproute2"]);
    }
    if util::is_root() && util::have("unshare") && util::have("ip") {
        let mut c = cmd(&["unshare", "-n", "sh", "-c", inner]);
        c.env("CARGO_NET_OFFLINE", "true");
        let (ok, run) = cargo_tests(c)?;
        counts("cargo nextest (loopback only)", &run);
        for f in run.failures() {
            println!("FAILED: {}: {}", f.binary, f.name);
        }
        if !ok {
            bail!(
                "cargo nextest run failed inside the loopback-only namespace"
            );
        }
        at_least("tests passed under nextest", run.passed, MIN_NEXTEST)?;
    } else {
        util::skip(
            "the loopback-only network namespace",
            "`unshare -n` needs root (run as root, or in CI), and `ip` \
             (iproute2) to bring loopback up",
        )?;
        let (ok, run) = cargo_tests(cmd(&[
            "cargo",
            "nextest",
            "run",
            "--workspace",
            "--no-fail-fast",
            "-E",
            "not package(containers)",
        ]))?;
        counts("cargo nextest", &run);
        if !ok {
            bail!("cargo nextest run failed");
        }
    }
    // The container tests need the ports Docker maps on the host, which a
    // loopback-only namespace cannot reach: they run outside it.
    if !ctx.docker {
        return util::skip(
            "the container tests under nextest",
            "no Docker engine reachable",
        );
    }
    let (ok, run) = cargo_tests(cmd(&[
        "cargo",
        "nextest",
        "run",
        "-p",
        "containers",
        "--no-fail-fast",
    ]))?;
    counts("cargo nextest -p containers", &run);
    if !ok {
        bail!("the container tests failed under nextest");
    }
    at_least(
        "container tests under nextest",
        run.passed,
        MIN_CONTAINER_TESTS,
    )
}

fn pact(_: &mut Ctx) -> Result<()> {
    let mut c = cmd(&[
        "cargo",
        "test",
        "-p",
        "email-provider",
        "--features",
        "pact",
        "--no-fail-fast",
    ]);
    // The Pact crates report usage to a third party unless told not to.
    c.env("PACT_DO_NOT_TRACK", "true");
    let (ok, run) = cargo_tests(c)?;
    counts("contract tests", &run);
    if !ok {
        bail!("contract tests failed");
    }
    at_least("contract tests passed", run.passed, MIN_CONTRACT_TESTS)
}

fn compose(ctx: &mut Ctx) -> Result<()> {
    if !ctx.docker {
        return util::skip(
            "the compose smoke test",
            "no Docker engine reachable",
        );
    }
    exec(cmd(&["ci/compose-smoke"]))
}

fn features(_: &mut Ctx) -> Result<()> {
    crate::features::check()
}

fn lint(_: &mut Ctx) -> Result<()> {
    crate::lint::check()
}

fn broken(_: &mut Ctx) -> Result<()> {
    crate::broken::check_all()
}

fn workflows(_: &mut Ctx) -> Result<()> {
    crate::workflows::check()
}

fn outputs(_: &mut Ctx) -> Result<()> {
    crate::outputs::check()
}

fn book(_: &mut Ctx) -> Result<()> {
    crate::book::build_and_test()
}

fn exercises(_: &mut Ctx) -> Result<()> {
    crate::exercises::check(true)
}

fn schedule(_: &mut Ctx) -> Result<()> {
    crate::schedule::check_up_to_date()
}

fn spelling(_: &mut Ctx) -> Result<()> {
    crate::spelling::check()
}

fn browser(_: &mut Ctx) -> Result<()> {
    crate::book::walk_in_browser()
}

fn handout(_: &mut Ctx) -> Result<()> {
    crate::handout::build(Path::new("book"))
}

/// The bundle the handout step wrote, as a student receives it.
fn bundle(_: &mut Ctx) -> Result<()> {
    let tarball = Path::new("book/course-starters.tar.gz");
    crate::handout::bundle::check_student_bundle(tarball)
}

fn take_home(_: &mut Ctx) -> Result<()> {
    crate::take_home::check()
}

fn leftovers(ctx: &mut Ctx) -> Result<()> {
    // The tests that fail on purpose (outputs, broken) kept their
    // databases, as a failed test's are kept for a day. A CI machine is
    // nobody else's: one last test process, for which everything is stale,
    // sweeps them; then the cluster goes as usual. (A crate on the
    // workspace-hack: `-p testdb` alone would build sqlx again.)
    let (package, binary, test) = crate::warm_up::PROOF;
    let mut sweep = cmd(&["cargo", "test", "-q", "-p", package, "--test"]);
    sweep.args([binary, "--", "--exact", test]);
    sweep.env("TESTDB_STALE_SECS", "0");
    util::exec(sweep)?;
    crate::leftovers::check(&ctx.before)
}
