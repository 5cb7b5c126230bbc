//! A test process as an owner on the server: its admin session holds its
//! locks; it builds the template, claims, makes, keeps and drops clones,
//! and sweeps what the owner rule (`names::may_drop`) says nobody owns.
//!
//! Statements go unprepared (a prepared one costs a round trip more on a
//! new connection); every value spliced in is ours: numbers, hex, names.

use std::{collections::HashSet, sync::Arc};

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{Connection, Executor, FromRow, PgConnection, postgres::PgRow};

use crate::{names, server::Server, server::code};

/// One process's stake in one set of migrations on one server.
pub struct Owner {
    pub server: Arc<Server>,
    /// Holds `key` and a share of the migrations' key while we run.
    admin: PgConnection,
    pub hash: String,
    key: i64,
    made: u64,
    /// `STRATEGY FILE_COPY`, or nothing; see [`Owner::start`].
    copy: &'static str,
}

impl Owner {
    /// Connects, takes the locks (neither can be held against us: the key
    /// is new, the hash's key only ever shared); one round trip. Builds
    /// the template if there is none.
    pub async fn start(
        server: Arc<Server>,
        migrator: &Migrator,
    ) -> Result<Owner, String> {
        let (hash, key) =
            (names::migrations_hash(migrator), names::process_key());
        // `FILE_COPY` does less work than `WAL_LOG` for a small template,
        // but checkpoints twice per clone: only where fsync is off.
        let sql = format!(
            "SELECT current_setting('fsync') = 'off' \
                AND current_setting('server_version_num')::int >= 150000, \
             EXISTS (SELECT FROM pg_database WHERE datname = '{}') \
             FROM (SELECT pg_advisory_lock({key}), \
                pg_advisory_lock_shared({})) AS locks",
            names::template(&hash),
            names::hash_key(&hash),
        );
        let admin = connect(&server, None).await?;
        let mut owner = Owner { server, admin, hash, key, made: 0, copy: "" };
        let (file_copy, exists) = owner.rows::<(bool, bool)>(&sql).await?[0];
        owner.copy = if file_copy { "STRATEGY FILE_COPY" } else { "" };
        if !exists {
            owner.build_template(migrator).await?;
        }
        Ok(owner)
    }

    /// A new name that carries this owner's key.
    fn next_name(&mut self) -> String {
        self.made += 1;
        names::owned(&self.hash, self.key, self.made)
    }

    async fn exec(&mut self, sql: &str) -> Result<(), String> {
        let done = self.admin.execute(sql).await;
        done.map(drop).map_err(|e| self.server.explain(&e))
    }

    async fn rows<T>(&mut self, sql: &str) -> Result<Vec<T>, String>
    where
        T: for<'r> FromRow<'r, PgRow>,
    {
        let rows = sqlx::raw_sql(sql).fetch_all(&mut self.admin).await;
        let rows = rows.map_err(|e| self.server.explain(&e))?;
        rows.iter()
            .map(|row| T::from_row(row).map_err(|e| e.to_string()))
            .collect()
    }

    /// The template, migrated under a name of our own and renamed into
    /// place: a rename is atomic, so of two processes building at once one
    /// wins, and nobody sees a half-migrated template.
    async fn build_template(
        &mut self,
        migrator: &Migrator,
    ) -> Result<(), String> {
        let (build, stamp) = (self.next_name(), names::comment("template"));
        self.exec(&format!("CREATE DATABASE {build}")).await?;
        if let Err(why) = migrate(&self.server, &build, migrator).await {
            let _ = self.finish(&build, false).await;
            return Err(why);
        }
        let place = format!(
            "COMMENT ON DATABASE {build} IS '{stamp}'; \
             ALTER DATABASE {build} IS_TEMPLATE true; \
             ALTER DATABASE {build} RENAME TO {}",
            names::template(&self.hash)
        );
        match self.admin.execute(&*place).await {
            // Another's got there first (42P04), or at the same moment
            // (23505, the catalog's unique index): ours goes.
            Err(e) if ["42P04", "23505"].contains(&&*code(&e)) => {
                let sql = format!("ALTER DATABASE {build} IS_TEMPLATE false");
                let _ = self.admin.execute(&*sql).await;
                self.finish(&build, false).await
            }
            done => done.map(drop).map_err(|e| self.server.explain(&e)),
        }
    }

    /// A stock clone renamed to one of our names, or `None` if the stock
    /// is empty. A rename fails if another process renamed it first.
    pub async fn claim_from_stock(&mut self) -> Result<Option<String>, String> {
        let mine = self.next_name();
        // Three of our role's, at random: racing processes spread out.
        let sql = format!(
            "SELECT datname::text FROM pg_database WHERE datname LIKE '{}' \
             AND datdba = (SELECT oid FROM pg_roles WHERE rolname = \
             current_user) ORDER BY random() LIMIT 3",
            names::stock_pattern(&self.hash)
        );
        for (clone,) in self.rows::<(String,)>(&sql).await? {
            let rename = format!("ALTER DATABASE {clone} RENAME TO {mine}");
            if self.admin.execute(&*rename).await.is_ok() {
                return Ok(Some(mine));
            }
        }
        Ok(None)
    }

    /// A clone made now under one of our names. (Our template can't have
    /// gone: we hold a share of its migrations' key.)
    pub async fn make_clone(&mut self) -> Result<String, String> {
        let (mine, copy) = (self.next_name(), self.copy);
        let template = names::template(&self.hash);
        let sql = format!("CREATE DATABASE {mine} TEMPLATE {template} {copy}");
        self.exec(&sql).await.map(|()| mine)
    }

    /// One more clean clone in the stock, with the time, unless it holds
    /// `full` already: made under our name (if we die half-way, a sweep
    /// drops it), then renamed. Whether it added one.
    pub async fn top_up_stock(&mut self, full: i64) -> Result<bool, String> {
        let pattern = names::stock_pattern(&self.hash);
        let sql = format!(
            "SELECT count(*) FROM pg_database WHERE datname LIKE '{pattern}'"
        );
        if self.rows::<(i64,)>(&sql).await?[0].0 >= full {
            return Ok(false);
        }
        let name = self.make_clone().await?;
        let sql = format!(
            "COMMENT ON DATABASE {name} IS '{}'; \
             ALTER DATABASE {name} RENAME TO {}",
            names::comment("stock"),
            names::stock(&self.hash)
        );
        self.exec(&sql).await.map(|()| true)
    }

    /// Drops a database a test of ours finished with, ending its sessions
    /// (its test is over); or, when the test failed, marks it kept.
    pub async fn finish(
        &mut self,
        name: &str,
        keep: bool,
    ) -> Result<(), String> {
        let stamp = names::comment("kept");
        let sql = match keep {
            false => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            true => format!("COMMENT ON DATABASE {name} IS '{stamp}'"),
        };
        self.exec(&sql).await.map(|()| self.server.note_kept(name, keep))
    }

    /// Drops, once, what [`names::may_drop`] allows. No `FORCE`: if
    /// someone connected since we looked, the `DROP` fails and it stays.
    pub async fn sweep(&mut self) -> Option<()> {
        // Our template is in use: fresh again. What is busy now is left for
        // the next sweep, not waited for.
        let touch = format!(
            "SET lock_timeout = '200ms'; COMMENT ON DATABASE {} IS '{}'; \
             RESET lock_timeout",
            names::template(&self.hash),
            names::comment("template")
        );
        let _ = self.admin.execute(&*touch).await;
        let dbs = "SELECT d.datname::text, \
                coalesce(shobj_description(d.oid, 'pg_database'), ''), \
                coalesce(s.numbackends, 0)::bigint \
             FROM pg_database d \
             LEFT JOIN pg_stat_database s ON s.datid = d.oid \
             WHERE d.datname LIKE 'testdb\\_%' AND d.datdba = \
                (SELECT oid FROM pg_roles WHERE rolname = current_user)";
        let mut found = self.rows::<(String, String, i64)>(dbs).await.ok()?;
        // The locks after the names: an owner locks its key before its
        // names exist, so each owner of a name we saw is in `held` unless
        // it has gone (keys are never reused). Without them, drop nothing.
        let locks = "SELECT (classid::bigint << 32) | objid::bigint \
             FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 \
             AND granted";
        let held: Vec<(i64,)> = self.rows(locks).await.ok()?;
        let held: HashSet<i64> = held.into_iter().map(|(key,)| key).collect();
        let stale = std::env::var("TESTDB_STALE_SECS").ok();
        let stale = stale.and_then(|s| s.parse().ok()).unwrap_or(86_400);
        let stale_before = names::unix_now().saturating_sub(stale);
        found.retain(|db| names::may_drop(db, &held, stale_before));
        for (name, ..) in found {
            // A template can't be dropped, and DROP DATABASE runs alone.
            let sql = format!("ALTER DATABASE {name} IS_TEMPLATE false");
            let _ = self.exec(&sql).await;
            if self.exec(&format!("DROP DATABASE {name}")).await.is_ok() {
                self.server.note_kept(&name, false);
            }
        }
        Some(())
    }
}

/// An admin session: no statement of it waits more than 2 s for a lock
/// or runs more than a minute, so a stalled peer can't stall us.
async fn connect(
    server: &Server,
    database: Option<&str>,
) -> Result<PgConnection, String> {
    let timeouts = [("lock_timeout", "2s"), ("statement_timeout", "60s")];
    let options = server.options(database).application_name("testdb");
    let conn = PgConnection::connect_with(&options.options(timeouts)).await;
    conn.map_err(|e| server.explain(&e))
}

/// Runs the migrations in the database `name`.
async fn migrate(
    server: &Server,
    name: &str,
    migrator: &Migrator,
) -> Result<(), String> {
    let mut conn = connect(server, Some(name)).await?;
    let migrated = migrator.run(&mut conn).await;
    let _ = conn.close().await; // a template must have no sessions
    migrated.map_err(|error| match error {
        MigrateError::ExecuteMigration(cause, version) => {
            let migration = migrator.iter().find(|m| m.version == version);
            format!(
                "migration {version} ({}) failed in the template: {cause}; \
                 fix that migration and run again",
                migration.map_or("", |m| &*m.description)
            )
        }
        error => format!("the migrations failed in the template: {error}"),
    })
}
