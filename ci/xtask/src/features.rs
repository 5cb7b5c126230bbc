//! `cargo xtask features`: whether `cargo test -p <crate>` builds a
//! dependency with other features than `cargo test --workspace` does, for
//! each crate that depends on ci/workspace-hack. When a dependency changes
//! and one does, it prints the lines that workspace-hack's tables need.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};

use crate::util::{capture, cmd, root};

/// Every feature set each registry crate (`name@version`) was built with.
type Seen = BTreeMap<String, BTreeSet<Vec<String>>>;

pub fn check() -> Result<()> {
    let mut seen = Seen::new();
    record(&mut seen, &["--workspace"])?;
    let packages = hacked_packages()?;
    for package in &packages {
        record(&mut seen, &["-p", package])?;
    }
    let mut lines = Vec::new();
    for (id, sets) in seen.iter().filter(|(_, sets)| sets.len() > 1) {
        let (name, version) = id.split_once('@').unwrap_or((id, ""));
        let all: BTreeSet<&String> = sets.iter().flatten().collect();
        let all: Vec<String> = all.iter().map(|f| format!("{f:?}")).collect();
        // Two versions of one crate need two keys.
        let major = version.split('.').next().unwrap_or_default();
        lines.push(format!(
            "{name}{major} = {{ package = \"{name}\", version = \"{version}\", \
             features = [{}] }}",
            all.join(", ")
        ));
    }
    if !lines.is_empty() {
        bail!(
            "these crates are built with other features under some `cargo \
             test -p`, so it builds them again; put these lines in both \
             tables of ci/workspace-hack/Cargo.toml (replacing theirs):\n{}",
            lines.join("\n")
        );
    }
    println!(
        "features: `cargo test -p` builds each dependency as `cargo test \
         --workspace` does, for all {} crates on ci/workspace-hack",
        packages.len()
    );
    Ok(())
}

/// Adds what `cargo test --no-run <selection>` builds to `seen`.
fn record(seen: &mut Seen, selection: &[&str]) -> Result<()> {
    let mut c = cmd(&["cargo", "test", "--no-run", "--message-format=json"]);
    c.args(selection);
    let (ok, out) = capture(c)?;
    if !ok {
        bail!("cargo test --no-run {} failed:\n{out}", selection.join(" "));
    }
    for line in out.lines().filter(|l| l.starts_with('{')) {
        let message: serde_json::Value = serde_json::from_str(line)?;
        let id = message["package_id"].as_str().unwrap_or_default();
        let kind = &message["target"]["kind"][0];
        if message["reason"] != "compiler-artifact"
            || !id.starts_with("registry+")
            || kind == "custom-build"
        {
            continue;
        }
        let features = message["features"].as_array().context("features")?;
        let features =
            features.iter().filter_map(|f| f.as_str().map(String::from));
        let name = id.rsplit('#').next().unwrap_or(id).to_string();
        seen.entry(name).or_default().insert(features.collect());
    }
    Ok(())
}

/// The workspace's crates that depend on workspace-hack.
fn hacked_packages() -> Result<Vec<String>> {
    let manifest = |path: &str| -> Result<toml::Table> {
        let text = std::fs::read_to_string(root().join(path))
            .with_context(|| format!("reading {path}"))?;
        Ok(text.parse()?)
    };
    let workspace = manifest("Cargo.toml")?;
    let members = workspace["workspace"]["members"].as_array();
    let mut packages = Vec::new();
    for member in members.into_iter().flatten().filter_map(|m| m.as_str()) {
        let crate_toml = manifest(&format!("{member}/Cargo.toml"))?;
        let uses_hack = ["dependencies", "dev-dependencies"].iter().any(|t| {
            crate_toml
                .get(*t)
                .is_some_and(|t| t.get("workspace-hack").is_some())
        });
        if uses_hack {
            packages.push(
                crate_toml["package"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
    }
    Ok(packages)
}
