//! Where the PostgreSQL server comes from, in order:
//!
//! 1. `DATABASE_URL`, if set: a server the reader runs (or CI provides).
//! 2. A throwaway cluster from the PostgreSQL binaries on this machine.
//! 3. Otherwise an error that names both ways to get a database.

use std::str::FromStr;

use sqlx::{ConnectOptions, postgres::PgConnectOptions};

use crate::cluster::Cluster;

/// A server the tests may create and drop databases on.
pub enum Server {
    /// Someone else's server, from `DATABASE_URL`. We drop only what we create.
    External { admin: Box<PgConnectOptions> },
    /// The shared throwaway cluster; joined while this process runs.
    Throwaway(Cluster),
}

impl Server {
    /// Finds a server, or explains in one line why there is none.
    pub fn find() -> Result<Server, String> {
        match std::env::var("DATABASE_URL") {
            Ok(url) => external(&url),
            Err(_) => Cluster::start().map(Server::Throwaway).map_err(|why| {
                format!(
                    "no PostgreSQL server for the tests: DATABASE_URL is not \
                     set and a throwaway cluster could not start ({why}). \
                     Fix one: set DATABASE_URL=postgres://user:password@\
                     localhost:5432/postgres (the user needs CREATEDB), or \
                     install the server binaries (Debian/Ubuntu: apt-get \
                     install postgresql; macOS: brew install postgresql)"
                )
            }),
        }
    }

    /// Options for the maintenance connection (the `postgres` database).
    pub fn admin_options(&self) -> PgConnectOptions {
        match self {
            Server::External { admin } => (**admin).clone(),
            Server::Throwaway(cluster) => cluster.connect_options(),
        }
    }

    /// A description safe to print: the password is never shown.
    pub fn describe(&self) -> String {
        match self {
            Server::External { admin } => {
                let mut url = admin.to_url_lossy();
                let _ = url.set_password(None);
                format!("DATABASE_URL ({url})")
            }
            Server::Throwaway(cluster) => {
                format!("throwaway cluster in {}", cluster.data_dir.display())
            }
        }
    }
}

fn external(url: &str) -> Result<Server, String> {
    let invalid = |why: String| {
        format!(
            "DATABASE_URL is not a valid PostgreSQL URL ({why}); expected \
             postgres://user:password@host:port/database, or unset it to \
             use a throwaway cluster"
        )
    };
    // sqlx accepts any scheme (`localhost:5432` parses, with "localhost" as
    // the scheme) and then fails much later.
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        let why = "it must start with postgres:// or postgresql://";
        return Err(invalid(why.into()));
    }
    let admin = PgConnectOptions::from_str(url)
        .map_err(|error| invalid(error.to_string()))?;
    Ok(Server::External {
        admin: Box::new(admin),
    })
}
