//! Benchmarks whose tables the book shows (as measured outputs):
//!
//! - `cargo xtask bench-isolation`: every isolation strategy of "Keeping
//!   tests apart", against testdb's throwaway cluster (or DATABASE_URL);
//!
//! The dev profile, like the tests: the timings are the server's work, and
//! it reuses what `cargo test` already built.

use anyhow::Result;

use crate::util;

#[derive(clap::Args)]
pub struct Isolation {
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// How many samples of each strategy (the benchmark's default
    /// unless given).
    #[arg(short = 'n', value_name = "SAMPLES")]
    #[arg(value_parser = clap::value_parser!(u32).range(1..))]
    samples: Option<u32>,
    /// How long each simulated test holds its database, in milliseconds
    /// (0: back to back).
    #[arg(long, value_name = "MS")]
    test_ms: Option<u64>,
}

pub fn isolation(args: Isolation) -> Result<()> {
    let mut c = util::cmd(&[
        "cargo",
        "run",
        "--quiet",
        "-p",
        "isolation",
        "--bin",
        "bench-isolation",
        "--",
    ]);
    if args.json {
        c.arg("--json");
    }
    if let Some(n) = args.samples {
        c.args(["-n", &n.to_string()]);
    }
    if let Some(ms) = args.test_ms {
        c.args(["--test-ms", &ms.to_string()]);
    }
    util::exec(c)
}
