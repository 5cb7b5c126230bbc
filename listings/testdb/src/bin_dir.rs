//! Where the PostgreSQL server binaries are. Standard library only: the
//! book's `cargo xtask` includes this same file to check a machine.

use std::path::PathBuf;

/// The first directory with `initdb` and `pg_ctl`: `PATH`, then Debian's
/// /usr/lib/postgresql/*/bin, newest version first.
pub fn find() -> Result<PathBuf, String> {
    let debian = std::fs::read_dir("/usr/lib/postgresql").into_iter();
    let bin = |entry: std::fs::DirEntry| entry.path().join("bin");
    let mut debian: Vec<_> = debian.flatten().flatten().map(bin).collect();
    let major = |p: &PathBuf| {
        p.iter().nth(4)?.to_str()?.split('.').next()?.parse().ok()
    };
    debian.sort_by_key(|p| std::cmp::Reverse(major(p).unwrap_or(0u32)));
    let has_both =
        |d: &PathBuf| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).chain(debian).find(has_both);
    let missing = "initdb and pg_ctl not found on PATH or in \
                   /usr/lib/postgresql/*/bin";
    found.ok_or_else(|| missing.into())
}
