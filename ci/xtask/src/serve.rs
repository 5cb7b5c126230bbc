//! `cargo xtask serve [mdbook serve args]`: the README's first command.
//! Installs mdbook if needed, builds the book and serves it on
//! http://127.0.0.1:3000 (PORT to change), rebuilding on change.

use anyhow::Result;

use crate::{tools, util};

#[derive(clap::Args)]
pub struct Args {
    /// Passed on to `mdbook serve` (e.g. `--open`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    #[arg(value_name = "MDBOOK SERVE ARGS")]
    mdbook_args: Vec<String>,
}

pub fn run(args: Args) -> Result<()> {
    tools::ensure_mdbook()?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let mut serve =
        util::cmd(&["mdbook", "serve", "--hostname", "127.0.0.1", "--port"]);
    serve.arg(port).args(args.mdbook_args);
    util::exec(serve)
}
