//! Test items of the workspace's Rust files, read by `book_model` (the
//! book's one reader of test items and their markers), with the package,
//! cargo target and test path each one runs under.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use book_model::test_items::Item;
use mdbook_listings::target::{self, Target};

/// A test function, where it runs.
#[derive(Debug, Clone)]
pub struct TestItem {
    pub file: PathBuf,
    pub target: Target,
    /// `module::inner::name` inside its test binary.
    pub path: String,
    /// What its file says of it: ignore reason, markers, proving calls, line.
    pub item: Item,
}

/// Every test function in one file.
pub fn test_items(file: &Path) -> Result<Vec<TestItem>> {
    let source = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let items = book_model::test_items::items(&source)
        .with_context(|| format!("{} is not valid Rust", file.display()))?;
    let target = target::find(file).map_err(anyhow::Error::msg)?;
    Ok(items
        .into_iter()
        .filter(|item| item.is_test)
        .map(|item| TestItem {
            file: file.to_path_buf(),
            path: [
                &target.module_path[..],
                std::slice::from_ref(&item.qualified),
            ]
            .concat()
            .join("::"),
            target: target.clone(),
            item,
        })
        .collect())
}

/// Every `.rs` file under `dir`, sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if name != "target" && name != "fixtures" {
                    dirs.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                found.push(p);
            }
        }
    }
    found.sort();
    found
}

/// Every test in every crate under `listings/`, `tests/` and `ci/`.
pub fn workspace_tests(root: &Path) -> Result<Vec<TestItem>> {
    let mut all = Vec::new();
    for top in ["listings", "tests", "ci"] {
        for file in rust_files(&root.join(top)) {
            all.extend(test_items(&file)?);
        }
    }
    Ok(all)
}
