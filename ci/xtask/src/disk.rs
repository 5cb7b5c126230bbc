//! The disk a run builds on: enough room before the first build, and how
//! much the builds hold after the run.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::util::{self, cmd};

/// What a cold run's builds took on disk, measured on a clean clone
/// (`target/: … MB on disk after the run`, printed at the end of every
/// run), with a margin for the tools and the container image.
const COLD_RUN_MB: u64 = 6_000;

/// The first number on the last line a `du -s` or `df --output=avail`
/// prints, in megabytes; None when the command fails.
fn megabytes(program: &str, flags: &[&str], path: &Path) -> Option<u64> {
    let mut c = cmd(&[program]);
    c.args(flags).arg("--block-size=1M").arg(path);
    let (ok, out) = util::capture(c).ok()?;
    if !ok {
        return None;
    }
    out.lines().last()?.split_whitespace().next()?.parse().ok()
}

/// Where cargo builds: `CARGO_TARGET_DIR`, or `target/` in the workspace.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| util::root().join("target"))
}

fn target_mb(target: &Path) -> Option<u64> {
    megabytes("du", &["-s"], target)
}

/// A full disk stops a build with a linker's bus error or a failed write
/// deep in some crate; this says so before the first build starts.
pub fn enough_disk() -> Result<()> {
    let target = target_dir();
    let on = if target.exists() {
        target.clone()
    } else {
        util::root()
    };
    let Some(free) = megabytes("df", &["--output=avail"], &on) else {
        println!("disk: free space unknown (df failed); going on");
        return Ok(());
    };
    let built = target_mb(&target).unwrap_or(0);
    disk_verdict(free, built, &on)?;
    println!("disk: {free} MB free, a cold run needs about {COLD_RUN_MB} MB");
    Ok(())
}

/// Enough room when what is free covers what a cold run writes, less
/// what is built already.
fn disk_verdict(free: u64, built: u64, on: &Path) -> Result<()> {
    let needed = COLD_RUN_MB.saturating_sub(built);
    if free < needed {
        bail!(
            "{free} MB free on the disk that holds {}, and this run may \
             write about {needed} MB more (a cold run takes about \
             {COLD_RUN_MB} MB, {built} MB of it built already): free some \
             space, or point CARGO_TARGET_DIR at a larger disk",
            on.display()
        );
    }
    Ok(())
}

/// How much the run's builds hold on disk: a CI machine's disk is finite,
/// and a change that doubles this should be seen before it fills one.
pub fn target_size() -> String {
    let target = target_dir();
    match target_mb(&target) {
        Some(mb) => {
            format!("{}: {mb} MB on disk after the run", target.display())
        }
        None => format!("{}: size unknown (du failed)", target.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cold_run_on_a_nearly_full_disk_is_stopped_with_a_fix() {
        let err = disk_verdict(1_000, 0, Path::new("/x")).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("1000 MB free"), "{message}");
        assert!(message.contains("CARGO_TARGET_DIR"), "{message}");
    }

    #[test]
    fn what_is_built_already_counts_toward_the_need() {
        let built = COLD_RUN_MB - 500;
        assert!(disk_verdict(600, built, Path::new("/x")).is_ok());
        assert!(disk_verdict(400, built, Path::new("/x")).is_err());
    }
}
