//! Where the PostgreSQL server comes from, in order:
//!
//! 1. `DATABASE_URL`, if set: a server the reader runs (or CI provides).
//! 2. A throwaway cluster from the PostgreSQL binaries on this machine.
//! 3. Otherwise an error that names both ways to get a database.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

use crate::cluster::Cluster;

/// A server the tests may create and drop databases on.
pub enum Server {
    /// Someone else's server, from `DATABASE_URL`, shared with strangers.
    External {
        admin: Box<PgConnectOptions>,
        url: url::Url,
    },
    /// This machine user's throwaway cluster, joined while we run.
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

    /// Options for a connection to `database` (the maintenance database
    /// when `None`).
    pub fn options(&self, database: Option<&str>) -> PgConnectOptions {
        let admin = match self {
            Server::External { admin, .. } => (**admin).clone(),
            Server::Throwaway(cluster) => cluster.connect_options(),
        };
        match database {
            Some(name) => admin.database(name),
            None => admin,
        }
    }

    /// A URL for `database` (the maintenance database when `None`).
    pub fn url(&self, database: Option<&str>) -> String {
        let mut url = match self {
            Server::External { url, .. } => url.clone(),
            Server::Throwaway(cluster) => cluster.admin_url(),
        };
        if let Some(name) = database {
            url.set_path(name);
        }
        url.to_string()
    }

    /// A description safe to print: the password is never shown.
    pub fn describe(&self) -> String {
        match self {
            Server::External { .. } => {
                format!("DATABASE_URL ({})", printable(&self.url(None)))
            }
            Server::Throwaway(cluster) => {
                format!("the throwaway cluster in {}", cluster.dir.display())
            }
        }
    }

    /// Marks (or unmarks) a kept database where the throwaway cluster's
    /// keeper sees it: it leaves the cluster running for the reader.
    pub fn note_kept(&self, name: &str, kept: bool) {
        if let Server::Throwaway(cluster) = self {
            cluster.note_kept(name, kept);
        }
    }

    /// `why`, or, when the throwaway cluster is gone, that.
    pub fn explain_gone(&self, why: String) -> String {
        match self {
            Server::Throwaway(cluster) if !cluster.is_intact() => format!(
                "the throwaway cluster in {} was deleted or stopped while \
                 this test process used it ({why}); leave it alone during a \
                 run (it goes by itself) and run the tests again",
                cluster.dir.display()
            ),
            _ => why,
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
    let url =
        url::Url::parse(url).map_err(|error| invalid(error.to_string()))?;
    Ok(Server::External {
        admin: Box::new(admin),
        url,
    })
}

/// A URL without its password, to print.
pub fn printable(url: &str) -> String {
    let Ok(mut url) = url::Url::parse(url) else {
        return String::new();
    };
    let _ = url.set_password(None);
    url.to_string()
}
