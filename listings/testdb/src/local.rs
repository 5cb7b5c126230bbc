//! Claims on testdb's own cluster, made with lock files: no round trip.
//!
//! On a server others may share (`DATABASE_URL`), a clone's owner is an
//! advisory lock held by the owner's admin session (see `stock`). A process
//! must open that session before it can claim, and only then open the
//! connection to the clone it got: under nextest, which starts a process per
//! test, that is two new connections on every test's path.
//!
//! Every user of our own cluster is a process of this machine user, so here
//! a clone's owner is a lock on a file in the cluster's directory instead,
//! which the kernel lets go however the process ends. A process claims a
//! clone without asking the server, and the first connection it opens is
//! the test's own. One file per clone, `clones/<name>`, says what it is:
//!
//! | `flock` | content      | state                                     |
//! |---------|--------------|-------------------------------------------|
//! | held    | any          | owned by a live process: never touched    |
//! | free    | `ready`      | clean, in stock: any process may claim it |
//! | free    | `making`     | its maker died: drop                      |
//! | free    | `used`       | its process is gone: drop                 |
//! | free    | `kept <run>` | a failed test's: the next run drops it    |
//!
//! These clones are named `testdb_<key>_local_<random>`, a name the advisory
//! lock scheme never matches: a `DATABASE_URL` run pointed at this cluster
//! keeps a stock of its own beside them. It never touches these; a process
//! here does sweep that stock, by that stock's own rules.

use std::{
    fs::{self, File, OpenOptions},
    os::unix::fs::{FileExt, MetadataExt},
    path::PathBuf,
};

/// The clone files of one set of migrations, in one cluster's directory.
pub struct Clones {
    dir: PathBuf,
    /// `testdb_<key>_local_`: the names of our migrations' clones.
    prefix: String,
}

/// A clone whose file this process holds locked: ours while it lives.
pub struct Claim {
    pub name: String,
    path: PathBuf,
    file: File,
}

impl Clones {
    pub fn new(dir: PathBuf, key: &str) -> Clones {
        Clones {
            dir,
            prefix: format!("testdb_{key}_local_"),
        }
    }

    /// Claims a clean clone of our migrations, if the stock has one: its
    /// file is locked and says `used` before any test can write to it, so
    /// that if this process dies the clone is dropped, not handed out again.
    pub fn claim(&self) -> Option<Claim> {
        let mut names = self.names(|name| name.starts_with(&self.prefix));
        // From a random place in the list: processes that start together
        // don't all try the same file first.
        let start = crate::stock::random_u64() as usize % names.len().max(1);
        names.rotate_left(start);
        names.iter().find_map(|name| {
            let claim = self.lock(name)?;
            (claim.state() == "ready").then(|| {
                claim.set("used");
                claim
            })
            // Any other file we locked is let go as `claim` drops here.
        })
    }

    /// A file for a clone about to be made, locked and `making`. The caller
    /// creates the database, then calls [`Claim::set`] with `ready`.
    pub fn reserve(&self) -> Result<Claim, String> {
        let name =
            format!("{}{:016x}", self.prefix, crate::stock::random_u64());
        let path = self.dir.join(&name);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| format!("could not create {}: {e}", path.display()))?;
        // Empty until here; a sweep leaves an empty file alone, so it can't
        // take this one between its creation and our lock.
        file.lock()
            .map_err(|e| format!("could not lock {}: {e}", path.display()))?;
        let claim = Claim { name, path, file };
        claim.set("making");
        Ok(claim)
    }

    /// How many clean clones of our migrations are in stock (a moment's
    /// count: others claim and add meanwhile).
    pub fn ready(&self) -> usize {
        self.names(|name| name.starts_with(&self.prefix))
            .iter()
            .filter(|name| {
                fs::read(self.dir.join(name)).is_ok_and(|s| s == b"ready")
            })
            .count()
    }

    /// The clones a sweep may drop, locked: those whose process is gone
    /// and, when no other process runs (`alone`), what other runs' failed
    /// tests kept and the stock of other migrations.
    pub fn orphans(&self, alone: bool, this_run: &str) -> Vec<Claim> {
        let droppable = |name: &str, state: &str| match state {
            "making" | "used" => true,
            "ready" => alone && !name.starts_with(&self.prefix),
            _ => {
                alone
                    && state
                        .strip_prefix("kept ")
                        .is_some_and(|run| run != this_run)
            }
        };
        let all = self.names(|name| name.starts_with("testdb_"));
        all.iter()
            // A first look without the lock: a sweep that locked every file
            // to read it would keep claims off the stock meanwhile.
            .filter(|name| {
                let state = fs::read(self.dir.join(name)).unwrap_or_default();
                droppable(name, &String::from_utf8_lossy(&state))
            })
            .filter_map(|name| self.lock(name))
            .filter(|claim| droppable(&claim.name, &claim.state()))
            .collect()
    }

    pub fn has_file(&self, name: &str) -> bool {
        self.dir.join(name).exists()
    }

    fn names(&self, wanted: impl Fn(&str) -> bool) -> Vec<String> {
        let entries = fs::read_dir(&self.dir).into_iter().flatten().flatten();
        entries
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| wanted(name))
            .collect()
    }

    /// Locks the file `name` unless someone holds it. A file removed
    /// between our open and our lock (its clone was dropped) is not ours.
    fn lock(&self, name: &str) -> Option<Claim> {
        let path = self.dir.join(name);
        let file =
            OpenOptions::new().read(true).write(true).open(&path).ok()?;
        file.try_lock().ok()?;
        let ours = file.metadata().ok()?.ino();
        let there = fs::metadata(&path).ok()?.ino();
        (ours == there).then(|| Claim {
            name: name.to_string(),
            path,
            file,
        })
    }
}

impl Claim {
    /// What the file says. Read with the lock held: whoever wrote it held
    /// the lock too, so it is never half-written.
    pub fn state(&self) -> String {
        let mut buffer = [0u8; 64];
        let read = self.file.read_at(&mut buffer, 0).unwrap_or(0);
        String::from_utf8_lossy(&buffer[..read]).into_owned()
    }

    pub fn set(&self, state: &str) {
        let _ = self.file.set_len(0);
        let _ = self.file.write_all_at(state.as_bytes(), 0);
    }

    /// The clone's database is gone: its file goes, then the lock.
    pub fn remove(self) {
        let _ = fs::remove_file(&self.path);
    }
}
