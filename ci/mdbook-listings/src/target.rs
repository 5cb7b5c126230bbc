//! Which crate and which cargo target a listing file belongs to, and the
//! module path of the file inside that target.

use std::path::{Component, Path, PathBuf};

/// The cargo target that compiles a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// An integration-test binary (`cargo test --test <name>`).
    Test(String),
    /// The library, with its unit tests (`cargo test --lib`).
    Lib,
    /// A binary (`cargo run --bin <name>`).
    Bin(String),
    /// An example (`cargo run --example <name>`), e.g. a benchmark program.
    Example(String),
}

/// Where a listing file sits in the workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The package name, for `-p`.
    pub package: String,
    /// The file's path relative to the crate root, `/`-separated.
    pub path_in_crate: String,
    /// The target that compiles it.
    pub kind: Kind,
    /// Module path of the file inside the target (`["first_test"]` for
    /// `tests/api/first_test.rs` in the `api` binary).
    pub module_path: Vec<String>,
}

impl Target {
    /// The cargo command for this target; `tests` asks for `cargo test` even
    /// for a binary or an example that carries tests.
    pub fn cargo_command(&self, tests: bool) -> String {
        let p = &self.package;
        match &self.kind {
            Kind::Test(name) => format!("cargo test -p {p} --test {name}"),
            Kind::Lib => format!("cargo test -p {p} --lib"),
            Kind::Bin(name) if tests => {
                format!("cargo test -p {p} --bin {name}")
            }
            Kind::Bin(name) => format!("cargo run -p {p} --bin {name}"),
            Kind::Example(name) if tests => {
                format!("cargo test -p {p} --example {name}")
            }
            Kind::Example(name) => format!("cargo run -p {p} --example {name}"),
        }
    }

    /// Whether the target is a program one runs, rather than tests.
    pub fn is_program(&self) -> bool {
        matches!(self.kind, Kind::Bin(_) | Kind::Example(_))
    }
}

/// Finds the crate that holds `file` (the nearest `Cargo.toml` with a
/// `[package]`) and the target that compiles it.
pub fn find(file: &Path) -> Result<Target, String> {
    let file = std::path::absolute(file)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let file = normalise(&file);
    let (root, manifest) = file
        .ancestors()
        .skip(1)
        .find_map(|dir| {
            let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
            let manifest: toml::Table = text.parse().ok()?;
            manifest.contains_key("package").then(|| (dir.to_path_buf(), manifest))
        })
        .ok_or_else(|| format!("{} is not inside a cargo package (no Cargo.toml with [package] above it)", file.display()))?;
    let package = manifest["package"]
        .get("name")
        .and_then(|n| n.as_str())
        .ok_or("Cargo.toml has no package name")?
        .to_string();
    let relative = file
        .strip_prefix(&root)
        .expect("the crate root is an ancestor of the file");
    let path_in_crate = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");

    let declared = |section: &str| -> Vec<(String, PathBuf)> {
        manifest
            .get(section)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|t| {
                Some((
                    t.get("name")?.as_str()?.to_string(),
                    PathBuf::from(t.get("path")?.as_str()?),
                ))
            })
            .collect()
    };
    let (mut kind, target_root) = classify(
        relative,
        &declared("test"),
        &declared("bin"),
        &declared("example"),
    );
    if kind == Kind::Bin(String::new()) {
        // `src/main.rs` is the binary named after the package.
        kind = Kind::Bin(package.clone());
    }
    let module_path = module_path(relative, &target_root);
    Ok(Target {
        package,
        path_in_crate,
        kind,
        module_path,
    })
}

/// Picks the target for `relative` (a path inside the crate) and returns the
/// target's root file, from which module paths count.
fn classify(
    relative: &Path,
    tests: &[(String, PathBuf)],
    bins: &[(String, PathBuf)],
    examples: &[(String, PathBuf)],
) -> (Kind, PathBuf) {
    // A declared target owns the file if the file is its root or sits in the
    // root's directory (the `tests/<name>/main.rs` layout).
    let owner = |declared: &[(String, PathBuf)]| {
        declared.iter().find_map(|(name, root)| {
            let dir = root.parent().unwrap_or(Path::new(""));
            let owns = relative == root
                || (root.ends_with("main.rs") && relative.starts_with(dir));
            owns.then(|| (name.clone(), root.clone()))
        })
    };
    if let Some((name, root)) = owner(tests) {
        return (Kind::Test(name), root);
    }
    if let Some((name, root)) = owner(bins) {
        return (Kind::Bin(name), root);
    }
    if let Some((name, root)) = owner(examples) {
        return (Kind::Example(name), root);
    }
    // Cargo's automatic discovery: tests/x.rs, tests/x/main.rs, src/bin/…, examples/….
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let stem = |s: &str| s.trim_end_matches(".rs").to_string();
    match parts.first().map(String::as_str) {
        Some("tests") if parts.len() == 2 => {
            (Kind::Test(stem(&parts[1])), relative.to_path_buf())
        }
        Some("tests") => (
            Kind::Test(parts[1].clone()),
            PathBuf::from(format!("tests/{}/main.rs", parts[1])),
        ),
        Some("examples") if parts.len() == 2 => {
            (Kind::Example(stem(&parts[1])), relative.to_path_buf())
        }
        Some("examples") => (
            Kind::Example(parts[1].clone()),
            PathBuf::from(format!("examples/{}/main.rs", parts[1])),
        ),
        Some("src")
            if parts.get(1).is_some_and(|p| p == "bin") && parts.len() == 3 =>
        {
            (Kind::Bin(stem(&parts[2])), relative.to_path_buf())
        }
        Some("src") if parts.get(1).is_some_and(|p| p == "main.rs") => {
            (Kind::Bin(String::new()), relative.to_path_buf())
        }
        _ => (Kind::Lib, PathBuf::from("src/lib.rs")),
    }
}

/// Module path of `relative` inside a target rooted at `target_root`:
/// `tests/api/first_test.rs` under `tests/api/main.rs` is `first_test`;
/// `src/db/mod.rs` under `src/lib.rs` is `db`.
fn module_path(relative: &Path, target_root: &Path) -> Vec<String> {
    if relative == target_root {
        return Vec::new();
    }
    let base = target_root.parent().unwrap_or(Path::new(""));
    let Ok(inside) = relative.strip_prefix(base) else {
        return Vec::new();
    };
    let mut parts: Vec<String> = inside
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
