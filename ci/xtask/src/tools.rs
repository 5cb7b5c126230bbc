//! `cargo xtask tools`: installs what the checks need, skipping what is
//! there at the pinned version. Every other command calls the `ensure_*`
//! function it needs, so a fresh machine needs no set-up of its own.

use anyhow::{Result, bail};

use crate::util::{apt_install, capture, cmd, exec, have};

/// mdBook's version: the preprocessors are built against this one.
pub const MDBOOK_VERSION: &str = "0.5.4";
/// cargo-nextest's version (building it takes about 10.5 min on 2 cores).
pub const NEXTEST_VERSION: &str = "0.9.143";

pub fn install() -> Result<()> {
    ensure_mdbook()?;
    ensure_postgres()?;
    ensure_nextest()?;
    Ok(())
}

/// Whether `program --version` prints a line that contains `version`.
fn has_version(program: &str, args: &[&str], version: &str) -> bool {
    let mut line = vec![program];
    line.extend_from_slice(args);
    have(program)
        && capture(cmd(&line))
            .is_ok_and(|(ok, out)| ok && out.contains(version))
}

pub fn ensure_mdbook() -> Result<()> {
    if has_version("mdbook", &["--version"], &format!("v{MDBOOK_VERSION}")) {
        return Ok(());
    }
    println!("installing mdbook {MDBOOK_VERSION} (about 4 minutes on 2 cores)");
    exec(cmd(&[
        "cargo",
        "install",
        "mdbook",
        "--locked",
        "--version",
        MDBOOK_VERSION,
    ]))
}

pub fn ensure_nextest() -> Result<()> {
    if has_version("cargo-nextest", &["nextest", "--version"], NEXTEST_VERSION)
    {
        return Ok(());
    }
    println!(
        "installing cargo-nextest {NEXTEST_VERSION} \
         (about 10.5 minutes on 2 cores)"
    );
    exec(cmd(&[
        "cargo",
        "install",
        "cargo-nextest",
        "--locked",
        "--version",
        NEXTEST_VERSION,
    ]))
}

/// The throwaway cluster needs `initdb` and `pg_ctl`: found where the
/// harness looks, else apt.
pub fn ensure_postgres() -> Result<()> {
    let found = crate::pg_bin_dir::find().is_ok();
    if found || std::env::var_os("DATABASE_URL").is_some() {
        return Ok(());
    }
    println!("installing the PostgreSQL server binaries");
    apt_install(&["postgresql"])
}

/// Debian's Chromium (the browser walk and the handout) and poppler (the
/// handout check reads the PDF back).
pub fn ensure_chromium() -> Result<()> {
    let chromium = crate::util::var_os("CHROMIUM")
        .map_or("chromium".into(), |b| b.to_string_lossy().into_owned());
    if have(&chromium) && have("pdftotext") {
        return Ok(());
    }
    println!("installing chromium and poppler (about 30 s)");
    apt_install(&["chromium", "fonts-liberation", "poppler-utils"])
}

/// A PyPI tool, installed with pip when its command is missing.
pub fn ensure_pip(command: &str, package: &str) -> Result<()> {
    if have(command) {
        return Ok(());
    }
    pip_install(package)?;
    if !have(command) {
        bail!(
            "pip installed {package}, but `{command}` is not on PATH: add \
             pip's script directory (for a user install, ~/.local/bin) to \
             PATH and run again"
        );
    }
    Ok(())
}

/// A Python module (`import name`), installed with pip when missing.
pub fn ensure_python_module(module: &str, package: &str) -> Result<()> {
    let probe = format!("import {module}");
    if capture(cmd(&["python3", "-c", &probe])).is_ok_and(|(ok, _)| ok) {
        return Ok(());
    }
    pip_install(package)
}

fn pip_install(package: &str) -> Result<()> {
    let pip = cmd(&["python3", "-m", "pip", "--version"]);
    if !capture(pip).is_ok_and(|(ok, _)| ok) {
        println!("installing pip (python3-pip) with apt-get");
        apt_install(&["python3-pip"])?;
    }
    println!("installing {package} from PyPI");
    let mut install = cmd(&[
        "python3",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--root-user-action=ignore",
        package,
    ]);
    // Debian 12 and Ubuntu 23.04 mark their Python "externally managed"
    // (PEP 668), and pip refuses to install there unless told to. These
    // are command-line tools for the checks; older pips ignore the variable.
    install.env("PIP_BREAK_SYSTEM_PACKAGES", "1");
    exec(install)
}
