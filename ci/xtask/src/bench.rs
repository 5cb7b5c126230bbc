//! Benchmarks whose tables the book shows (as measured outputs):
//!
//! - `cargo xtask bench-isolation [--json] [-n SAMPLES] [--test-ms MS]`:
//!   every isolation strategy of "Keeping tests apart", against testdb's
//!   throwaway cluster (or DATABASE_URL);
//!
//! The dev profile, like the tests: the timings are the server's work, and
//! it reuses what `cargo test` already built.

use anyhow::Result;

use crate::util;

pub fn isolation(args: &[String]) -> Result<()> {
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
    c.args(args);
    util::exec(c)
}
