//! The server: `DATABASE_URL` if set, else the throwaway cluster; and the
//! one-line explanations of what went wrong on it.

use sqlx::postgres::PgConnectOptions;

/// A server the tests may create and drop databases on.
pub struct Server {
    /// The maintenance database, as options and as a URL.
    admin: PgConnectOptions,
    url: url::Url,
    /// This machine user's throwaway cluster, joined while we run; `None`
    /// for `DATABASE_URL`, someone else's server, shared with strangers.
    cluster: Option<crate::cluster::Cluster>,
}

impl Server {
    /// Finds a server, or explains in one line why there is none.
    pub fn find() -> Result<Server, String> {
        let (url, cluster) = match std::env::var("DATABASE_URL") {
            Ok(url) => (url, None),
            Err(_) => {
                let cluster = crate::cluster::Cluster::start().map_err(|why| {
                    format!(
                        "no PostgreSQL server for the tests: DATABASE_URL is \
                         not set and a throwaway cluster could not start \
                         ({why}). Fix one: set DATABASE_URL=postgres://user:\
                         password@localhost:5432/postgres (the user needs \
                         CREATEDB), or install the server binaries \
                         (Debian/Ubuntu: apt-get install postgresql; macOS: \
                         brew install postgresql)"
                    )
                })?;
                (cluster.url(), Some(cluster))
            }
        };
        let invalid = |why: &dyn std::fmt::Display| {
            format!(
                "DATABASE_URL is not a valid PostgreSQL URL ({why}); \
                 expected postgres://user:password@host:port/database, \
                 or unset it to use a throwaway cluster"
            )
        };
        // sqlx takes any scheme (`localhost:5432`: "localhost"), fails later.
        let Some(("postgres" | "postgresql", _)) = url.split_once("://") else {
            return Err(invalid(&"it must start with postgres://"));
        };
        let admin = url.parse().map_err(|e| invalid(&e))?;
        let url = url::Url::parse(&url).map_err(|e| invalid(&e))?;
        Ok(Server { admin, url, cluster })
    }

    /// Options for `database` (the maintenance database when `None`).
    pub fn options(&self, database: Option<&str>) -> PgConnectOptions {
        let admin = self.admin.clone();
        database.map_or(admin.clone(), |name| admin.database(name))
    }

    /// A URL for `database` (the maintenance database when `None`).
    pub fn url(&self, database: Option<&str>) -> String {
        let mut url = self.url.clone();
        database.inspect(|name| url.set_path(name));
        url.to_string()
    }

    /// Tells the throwaway cluster's keeper whether `name` is kept.
    pub fn note_kept(&self, name: &str, kept: bool) {
        self.cluster.iter().for_each(|cluster| cluster.note_kept(name, kept));
    }

    /// One line for a failed connection or statement, with the fix when
    /// we know it; the password is never shown.
    pub fn explain(&self, error: &sqlx::Error) -> String {
        let at = match &self.cluster {
            None => format!("DATABASE_URL ({})", printable(self.url.as_str())),
            Some(c) => format!("the throwaway cluster in {}", c.dir.display()),
        };
        let why = match code(error).as_str() {
            "42501" => format!(
                "the user of {at} may not create databases ({error}); \
                 fix: ALTER ROLE <that user> CREATEDB, or use another user"
            ),
            "53300" => format!(
                "{at} is full (max_connections reached: {error}); run \
                 fewer tests at once (--test-threads), lower testdb's \
                 CONNECTIONS_PER_TEST, or raise the server's max_connections"
            ),
            "" => format!("could not connect to {at}: {error}"),
            _ => format!("{at}: {error}"),
        };
        match &self.cluster {
            Some(cluster) if !cluster.is_intact() => format!(
                "{at} was deleted or stopped while this test process used it \
                 ({why}); leave it alone during a run (it goes by itself) and \
                 run the tests again"
            ),
            _ => why,
        }
    }
}

/// The SQLSTATE of a database error, or "".
pub fn code(error: &sqlx::Error) -> String {
    let code = error.as_database_error().and_then(|e| e.code());
    code.unwrap_or_default().into_owned()
}

/// A URL without its password, to print.
pub fn printable(url: &str) -> String {
    let mut url = url::Url::parse(url).ok();
    url.as_mut().map(|u| u.set_password(None));
    url.map_or(String::new(), String::from)
}
