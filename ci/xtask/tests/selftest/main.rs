//! Self-tests of the tool: each plants a fault and checks the tool reports
//! it. They run the built `xtask` (and cargo) as child processes.

mod flaky;
mod hang;
mod zero;

use std::process::Command;

/// `cargo xtask <args>`, run from the workspace root; (success, output).
pub fn xtask(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("CI")
        .output()
        .expect("run the xtask binary");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}
