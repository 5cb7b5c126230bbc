//! `cargo xtask outputs`: every output the book shows, regenerated from
//! the command its `OUTPUT` marker declares (CONTRIBUTING.md, "Generated
//! outputs"); its flags are documented on [`Args`].

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result, bail};
use book_model::markers::{command_outputs, output};
use regex::Regex;

use crate::{rust, util};

/// The book shows at least this many compared outputs; fewer means the
/// markers were not found, and a check that finds nothing checks nothing.
pub const MIN_COMPARED: usize = 15;

/// One declared output.
#[derive(Debug, Clone)]
pub struct Output {
    /// Relative to the workspace root.
    pub file: String,
    /// The command as the file's first line shows it (after `$ `).
    pub command: String,
    pub measured: bool,
    /// Where the marker is, for messages.
    pub declared_at: String,
}

/// Resolves a marker's path: relative to the crate, or to the root if it
/// starts with `/`.
fn resolve(crate_dir: &Path, root: &Path, path: &str) -> String {
    let full = match path.strip_prefix('/') {
        Some(p) => root.join(p),
        None => crate_dir.join(path),
    };
    full.strip_prefix(root)
        .unwrap_or(&full)
        .display()
        .to_string()
}

/// The directory holding the nearest Cargo.toml above `file`.
fn crate_dir(file: &Path) -> PathBuf {
    file.ancestors()
        .skip(1)
        .find(|d| d.join("Cargo.toml").is_file())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// The command a test marker declares:
/// `<path> [VAR=v] [-VAR] [--features=f] [--nocapture] [| filter]`.
fn test_command(item: &rust::TestItem, spec: &str) -> Result<(String, String)> {
    let (words, filter) = match spec.split_once('|') {
        Some((w, f)) => (w, Some(f.trim())),
        None => (spec, None),
    };
    let mut words = words.split_whitespace();
    let path = words.next().context("an OUTPUT marker needs a file")?;
    let (mut set, mut unset, mut features, mut nocapture) =
        (Vec::new(), Vec::new(), None, false);
    for w in words {
        if let Some(f) = w.strip_prefix("--features=") {
            features = Some(f.to_string());
        } else if w == "--nocapture" {
            nocapture = true;
        } else if let Some(v) = w.strip_prefix('-') {
            unset.push(v.to_string());
        } else if w.contains('=') {
            set.push(w.to_string());
        } else {
            bail!(
                "OUTPUT marker: `{w}` is not VAR=value, -VAR, \
                   --features=F or --nocapture"
            );
        }
    }
    let mdbook_listings::target::Kind::Test(binary) = &item.target.kind else {
        bail!("OUTPUT marker on a test outside an integration-test binary");
    };
    let mut c = String::new();
    if !unset.is_empty() {
        c.push_str("env ");
        for u in &unset {
            c.push_str(&format!("-u {u} "));
        }
    }
    for s in &set {
        c.push_str(&format!("{s} "));
    }
    c.push_str(&format!("cargo test -p {}", item.target.package));
    if let Some(f) = features {
        c.push_str(&format!(" --features {f}"));
    }
    c.push_str(&format!(" --test {binary} -- "));
    if item.item.ignore_reason.is_some() {
        c.push_str("--ignored ");
    }
    c.push_str(&format!("--exact {}", item.path));
    if nocapture {
        c.push_str(" --nocapture");
    }
    if let Some(f) = filter {
        c.push_str(&format!(" 2>&1 | {f}"));
    }
    Ok((path.to_string(), c))
}

/// Every declared output, from the markers.
pub fn declared(root: &Path) -> Result<Vec<Output>> {
    let mut found = Vec::new();
    for item in rust::workspace_tests(root)? {
        for (measured, spec) in
            item.item.markers.iter().filter_map(|m| output(m))
        {
            if spec.contains(" $ ") {
                continue; // a command marker, found below
            }
            let (path, command) = test_command(&item, spec.trim())
                .with_context(|| {
                    format!("{}:{}", item.file.display(), item.item.line)
                })?;
            found.push(Output {
                file: resolve(&crate_dir(&item.file), root, &path),
                command,
                measured,
                declared_at: format!(
                    "{}:{}",
                    item.file.strip_prefix(root).unwrap().display(),
                    item.item.line
                ),
            });
        }
    }
    // Command markers: `// OUTPUT: <path> $ <command>` in any Rust file,
    // `# OUTPUT: …` in a shell file of ci/.
    let mut files = Vec::new();
    for top in ["listings", "tests", "ci"] {
        files.extend(rust::rust_files(&root.join(top)));
    }
    if let Ok(entries) = std::fs::read_dir(root.join("ci")) {
        files.extend(entries.flatten().map(|e| e.path()).filter(|p| {
            p.is_file() && p.extension().is_none_or(|x| x == "sh" || x == "py")
        }));
    }
    if let Ok(entries) = std::fs::read_dir(root.join("ci/images")) {
        files.extend(entries.flatten().map(|e| e.path()));
    }
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for marker in command_outputs(&text) {
            found.push(Output {
                file: resolve(&crate_dir(&file), root, &marker.path),
                command: marker.command,
                measured: marker.measured,
                declared_at: format!(
                    "{}:{}",
                    file.strip_prefix(root).unwrap().display(),
                    marker.line
                ),
            });
        }
    }
    found.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(found)
}

/// Paths, hashes, ports and timings made stable across runs.
pub fn normalise(text: &str) -> String {
    let build_chatter = Regex::new(
        r"^\s*(Compiling|Blocking|Finished|Updating|Downloaded|Downloading|warning|Locking|Adding|Running `)\b",
    )
    .unwrap();
    let rules: Vec<(Regex, &str)> = [
        (r"finished in [0-9.]+s", "finished in 0.00s"),
        (r"[0-9]+ filtered out", "N filtered out"),
        (r"(target/debug/deps/[a-z_0-9-]+)-[0-9a-f]{16}", "${1}-HASH"),
        (r"/dev/shm/testdb-pg-[0-9-]+", "/dev/shm/testdb-pg-PID"),
        // testdb's database names: testdb_<hash>_<process key>_<n>.
        (r"testdb_[0-9a-f]{12}_[0-9a-f]{16}_[0-9]+", "testdb_NAME"),
        (r"127\.0\.0\.1:[0-9]+", "127.0.0.1:PORT"),
        (r"latency=[0-9]+ ms", "latency=N ms"),
        (r"^(  date: ).*", "${1}DATE"),
        (
            r"thread '([^']+)' \([0-9]+\) panicked",
            "thread '$1' panicked",
        ),
        (
            r"\(([0-9]+)s loading, ([0-9]+)ms verification\)",
            "(Ns loading, Nms verification)",
        ),
    ]
    .into_iter()
    .map(|(r, to)| (Regex::new(r).unwrap(), to))
    .collect();
    let mut out = String::new();
    for line in text.lines() {
        if build_chatter.is_match(line)
            || line.starts_with("note: run with `RUST_BACKTRACE=1`")
        {
            continue;
        }
        let mut l = line.to_string();
        for (re, to) in &rules {
            l = re.replace_all(&l, *to).into_owned();
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Runs an output's command and returns the file's fresh text.
pub fn fresh(output: &Output, dir: &Path) -> Result<String> {
    let mut c = util::cmd(&["bash", "-c"]);
    c.arg(format!("{} 2>&1", output.command)).current_dir(dir);
    c.env("RUST_BACKTRACE", "0");
    if dir != util::root() {
        // Two copies of the workspace must not share one target directory:
        // the second would run the first one's binaries.
        c.env("CARGO_TARGET_DIR", dir.join("target"));
    }
    let (_, text) = util::capture(c)?;
    Ok(format!("$ {}\n{}", output.command, normalise(&text)))
}

/// A measured output, afresh. A mutation run (cargo-mutants' `--in-place`,
/// sql-mutants) edits the files it tests, and one interrupted can leave a
/// mutant behind: it runs in a throwaway worktree of HEAD, as the book
/// tells readers to run it.
fn measure(o: &Output, root: &Path) -> Result<String> {
    if !o.command.contains("mutants") {
        return fresh(o, root);
    }
    let name = format!("xtask-mutants-{}", std::process::id());
    let tree = std::env::temp_dir().join(name);
    let git = |args: &[&str]| {
        let mut c = util::cmd(&["git"]);
        c.args(args).arg(&tree).current_dir(root);
        util::exec(c)
    };
    git(&["worktree", "add", "--quiet", "--detach"])?;
    let text = fresh(o, &tree);
    git(&["worktree", "remove", "--force"])?;
    text
}

/// Output files a chapter includes (`listings/<crate>/output/…`).
fn included_outputs(root: &Path) -> Result<BTreeMap<String, String>> {
    let mut shown = BTreeMap::new();
    for entry in std::fs::read_dir(root.join("src"))?.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path)?;
        for include in book_model::includes::includes_in(&text) {
            let target = path.parent().unwrap().join(&include.path);
            let Ok(target) = target.canonicalize() else {
                continue;
            };
            let relative = target.strip_prefix(root).unwrap_or(&target);
            if relative.components().any(|c| c.as_os_str() == "output") {
                shown.insert(
                    relative.display().to_string(),
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                );
            }
        }
    }
    Ok(shown)
}

#[derive(clap::Args)]
pub struct Args {
    /// Write nothing: fail, with a diff, if a file differs from a fresh
    /// run, if a chapter includes an output no marker declares, or if
    /// fewer outputs than the minimum are found.
    #[arg(long)]
    check: bool,
    /// Also rerun the measurements (slow; never in CI).
    #[arg(long)]
    measured: bool,
    /// Print every declared output and its command, and run nothing.
    #[arg(long)]
    list: bool,
    /// Only the outputs whose path ends with one of these.
    #[arg(value_name = "FILE")]
    files: Vec<String>,
}

pub fn run(args: Args) -> Result<()> {
    if args.list {
        return list();
    }
    let mode = Mode {
        check: args.check,
        measured: args.measured && !args.check,
    };
    update(mode, &args.files)
}

/// Fails if a shown output differs from a fresh run (what CI runs).
pub fn check() -> Result<()> {
    let mode = Mode {
        check: true,
        measured: false,
    };
    update(mode, &[])
}

/// Every declared output and its command.
fn list() -> Result<()> {
    for o in &declared(&util::root())? {
        let kind = if o.measured { "measured" } else { "compared" };
        println!("{kind}\t{}\t{}\t{}", o.file, o.declared_at, o.command);
    }
    Ok(())
}

/// What a run does with the outputs.
#[derive(Clone, Copy)]
struct Mode {
    /// Compare instead of writing.
    check: bool,
    /// Rerun the measurements (never while checking).
    measured: bool,
}

/// What a run found.
#[derive(Default)]
struct Tally {
    compared: usize,
    differ: usize,
    measured_ok: usize,
    problems: Vec<String>,
}

/// Regenerates (or with `check`, compares) the outputs whose path ends
/// with one of `only`, or every one.
fn update(mode: Mode, only: &[String]) -> Result<()> {
    let root = util::root();
    let outputs = declared(&root)?;
    let mut tally = Tally {
        problems: declared_twice(&outputs),
        ..Tally::default()
    };
    if mode.check {
        tally.problems.extend(undeclared(&root, &outputs)?);
    }
    let chosen = outputs.iter().filter(|o| {
        only.is_empty() || only.iter().any(|f| o.file.ends_with(f))
    });
    for o in chosen {
        if o.measured {
            measurement(o, &root, mode, &mut tally)?;
        } else {
            compared(o, &root, mode, &mut tally)?;
        }
    }
    let Tally {
        compared,
        differ,
        measured_ok,
        mut problems,
    } = tally;
    println!(
        "outputs: {compared} compared ({differ} differ), {measured_ok} \
         measurements start with their command"
    );
    if only.is_empty() && compared < MIN_COMPARED {
        problems.push(format!(
            "only {compared} compared outputs found, expected at least \
             {MIN_COMPARED}: are the OUTPUT markers being read?"
        ));
    }
    if differ > 0 {
        problems.push(format!("{differ} outputs differ"));
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    Ok(())
}

/// An output declared by two markers.
fn declared_twice(outputs: &[Output]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for o in outputs {
        if let Some(other) = seen.insert(&o.file, &o.declared_at) {
            problems.push(format!(
                "{} is declared twice: {other} and {}",
                o.file, o.declared_at
            ));
        }
    }
    problems
}

/// An output a chapter includes that no marker declares.
fn undeclared(root: &Path, outputs: &[Output]) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (file, chapter) in included_outputs(root)? {
        if !outputs.iter().any(|o| o.file == file) {
            problems.push(format!(
                "src/{chapter} shows {file}, which no OUTPUT marker \
                 declares (CONTRIBUTING.md, \"Generated outputs\")"
            ));
        }
    }
    Ok(problems)
}

/// A measured output: rerun with `--measured`, else only its first line
/// checked (it must start with its command).
fn measurement(
    o: &Output,
    root: &Path,
    mode: Mode,
    tally: &mut Tally,
) -> Result<()> {
    let path = root.join(&o.file);
    if mode.measured {
        println!("measuring: {}", o.command);
        std::fs::create_dir_all(path.parent().unwrap())?;
        if o.command.contains("--write") {
            // It writes its own file (and more, like README's block); its
            // progress lines are not part of it.
            let mut c = util::cmd(&["bash", "-c"]);
            c.arg(&o.command);
            return util::exec(c);
        }
        return Ok(std::fs::write(&path, measure(o, root)?)?);
    }
    let first = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| t.lines().next().map(str::to_string));
    let starts = first.as_deref().is_some_and(|f| {
        f.trim_start_matches('`')
            .starts_with(&format!("$ {}", o.command))
    });
    if starts {
        tally.measured_ok += 1;
    } else {
        tally.problems.push(format!(
            "{}: a measured output must start with `$ {}` (declared at {})",
            o.file, o.command, o.declared_at
        ));
    }
    Ok(())
}

/// A compared output: run afresh, then written, or with `check` compared.
fn compared(
    o: &Output,
    root: &Path,
    mode: Mode,
    tally: &mut Tally,
) -> Result<()> {
    let path = root.join(&o.file);
    let text = fresh(o, root)?;
    tally.compared += 1;
    if !mode.check {
        std::fs::create_dir_all(path.parent().unwrap())?;
        return Ok(std::fs::write(&path, text)?);
    }
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    if old != text {
        tally.differ += 1;
        println!(
            "{} differs from a fresh run of `{}` (declared at {}; run \
             `cargo xtask outputs {}` to regenerate):",
            o.file, o.command, o.declared_at, o.file
        );
        print_diff(&old, &text);
    }
    Ok(())
}

/// A line diff, enough to see what changed.
fn print_diff(old: &str, new: &str) {
    let (a, b): (Vec<_>, Vec<_>) =
        (old.lines().collect(), new.lines().collect());
    for line in &a {
        if !b.contains(line) {
            println!("- {line}");
        }
    }
    for line in &b {
        if !a.contains(line) {
            println!("+ {line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use book_model::test_items::Item;
    use mdbook_listings::target::{Kind, Target};

    fn item(ignored: bool) -> rust::TestItem {
        rust::TestItem {
            file: "listings/c/tests/c/a.rs".into(),
            target: Target {
                package: "c".into(),
                path_in_crate: "tests/c/a.rs".into(),
                kind: Kind::Test("c".into()),
                module_path: vec!["a".into()],
            },
            path: "a::fails".into(),
            item: Item {
                ignore_reason: ignored.then(String::new),
                line: 1,
                ..Item::default()
            },
        }
    }

    /// A marker's words become the command the output file starts with.
    #[test]
    fn a_test_marker_becomes_its_cargo_command() {
        let (path, command) = test_command(
            &item(true),
            "output/a.txt -CI DOCKER_HOST=x --features=pact --nocapture \
             | grep -A1 'panicked at'",
        )
        .unwrap();
        assert_eq!(path, "output/a.txt");
        assert_eq!(
            command,
            "env -u CI DOCKER_HOST=x cargo test -p c --features pact \
             --test c -- --ignored --exact a::fails --nocapture 2>&1 | \
             grep -A1 'panicked at'"
        );
        let (_, plain) = test_command(&item(false), "output/b.txt").unwrap();
        assert_eq!(plain, "cargo test -p c --test c -- --exact a::fails");
    }

    /// Whatever a mutation run does to the files, it does it to a
    /// throwaway worktree: the tree it was started from stays as it was.
    #[test]
    fn a_mutation_run_leaves_the_tree_it_started_from_alone() {
        let name = format!("xtask-repo-{}", std::process::id());
        let repo = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::write(repo.join("a.rs"), "original\n").unwrap();
        let git = |args: &str| {
            let mut c = util::cmd(&["git", "-c", "user.name=t"]);
            c.args(["-c", "user.email=t@t"]).args(args.split(' '));
            c.current_dir(&repo);
            util::exec(c)
        };
        for step in ["init -q", "add a.rs", "commit -q -m a"] {
            git(step).unwrap();
        }
        let run = Output {
            file: "output/m.txt".into(),
            command: "echo mutant >> a.rs; cat a.rs # cargo mutants".into(),
            measured: true,
            declared_at: String::new(),
        };
        let text = measure(&run, &repo).unwrap();
        let left = std::fs::read_to_string(repo.join("a.rs")).unwrap();
        std::fs::remove_dir_all(&repo).unwrap();
        assert!(text.ends_with("original\nmutant\n"), "it ran: {text}");
        assert_eq!(left, "original\n", "the tree it started from");
    }

    /// Timings, hashes and ports are made stable; build chatter goes.
    #[test]
    fn normalising_makes_a_rerun_match() {
        let raw = "   Compiling c v0.1.0\n\
                   test result: ok. 1 passed; 0 failed; finished in 0.52s\n\
                   Running (target/debug/deps/c-0123456789abcdef)\n\
                   listening on 127.0.0.1:43211\n";
        assert_eq!(
            normalise(raw),
            "test result: ok. 1 passed; 0 failed; finished in 0.00s\n\
             Running (target/debug/deps/c-HASH)\n\
             listening on 127.0.0.1:PORT\n"
        );
    }
}
