//! A test process as an owner on the server: its admin session holds its
//! locks; it builds the template, claims, makes, keeps and drops clones,
//! and sweeps what the owner rule (`names::may_drop`) says nobody owns.
//!
//! Statements go unprepared: a new connection would prepare a statement
//! with parameters first, one more round trip. Every value spliced into
//! them is ours (numbers, hex, our own names).

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
    /// Stock clones seen at the start: a first claim needs no look.
    candidates: Vec<String>,
}

/// Up to three stock clones of `hash`, in random order, as an SQL array.
fn candidates(hash: &str) -> String {
    format!(
        "ARRAY(SELECT datname::text FROM pg_database WHERE datname LIKE '{}' \
         AND datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user) \
         ORDER BY random() LIMIT 3)",
        names::stock_pattern(hash)
    )
}

impl Owner {
    /// Connects, takes the locks (neither can be held against us: the key
    /// is new, and the hash's key is only ever shared), and makes sure the
    /// template exists; one round trip.
    pub async fn start(
        server: Arc<Server>,
        migrator: &Migrator,
    ) -> Result<Owner, String> {
        let (hash, key) =
            (names::migrations_hash(migrator), names::process_key());
        // `FILE_COPY` copies files, less work for a small template than
        // `WAL_LOG` (the default since PostgreSQL 15), but checkpoints
        // before and after: where the server syncs to disk, every clone
        // would flush every database's dirty pages. So only at `fsync=off`.
        let sql = format!(
            "SELECT current_setting('fsync') = 'off' \
                AND current_setting('server_version_num')::int >= 150000, \
             EXISTS (SELECT FROM pg_database WHERE datname = '{}'), {} \
             FROM (SELECT pg_advisory_lock({key}), \
                pg_advisory_lock_shared({})) AS locks",
            names::template(&hash),
            candidates(&hash),
            names::hash_key(&hash),
        );
        let mut owner = Owner {
            admin: connect(&server, None).await?,
            server,
            hash,
            key,
            made: 0,
            copy: "",
            candidates: vec![],
        };
        let (file_copy, exists, candidates): (bool, bool, _) =
            owner.row(&sql).await?;
        owner.candidates = candidates;
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

    async fn row<T: for<'r> FromRow<'r, PgRow>>(
        &mut self,
        sql: &str,
    ) -> Result<T, String> {
        let row = sqlx::raw_sql(sql).fetch_one(&mut self.admin).await;
        let row = row.map_err(|e| self.server.explain(&e))?;
        T::from_row(&row).map_err(|e| e.to_string())
    }

    /// The template, built under a name of our own and renamed into place
    /// when complete. A rename is atomic: of two processes building at
    /// once, on any database of the server, one wins and the other drops
    /// its copy. Nobody ever sees a half-migrated template.
    async fn build_template(
        &mut self,
        migrator: &Migrator,
    ) -> Result<(), String> {
        let template = names::template(&self.hash);
        let stamp = names::comment("template", names::unix_now());
        let build = self.next_name();
        self.exec(&format!("CREATE DATABASE {build}")).await?;
        if let Err(why) = migrate(&self.server, &build, migrator).await {
            let _ = self.finish(&build, false).await;
            return Err(why);
        }
        let place = format!(
            "COMMENT ON DATABASE {build} IS '{stamp}'; \
             ALTER DATABASE {build} IS_TEMPLATE true; \
             ALTER DATABASE {build} RENAME TO {template}"
        );
        match self.admin.execute(&*place).await {
            Ok(_) => Ok(()),
            // Another's got there first (42P04), or at the same moment
            // (23505, the catalog's unique index): ours goes.
            Err(e) if ["42P04", "23505"].contains(&&*code(&e)) => {
                let sql = format!("ALTER DATABASE {build} IS_TEMPLATE false");
                let _ = self.admin.execute(&*sql).await;
                self.finish(&build, false).await
            }
            Err(e) => Err(self.server.explain(&e)),
        }
    }

    /// A stock clone renamed to one of our names, or `None` if the stock
    /// is empty. A rename fails if another process renamed it first.
    pub async fn claim_from_stock(&mut self) -> Result<Option<String>, String> {
        let mine = self.next_name();
        let mut found = std::mem::take(&mut self.candidates);
        if found.is_empty() {
            (found,) = self
                .row(&format!("SELECT {}", candidates(&self.hash)))
                .await?;
        }
        for clone in found {
            let rename = format!("ALTER DATABASE {clone} RENAME TO {mine}");
            if self.admin.execute(&*rename).await.is_ok() {
                return Ok(Some(mine));
            }
        }
        Ok(None)
    }

    /// A clone made now, for a test that found the stock empty. (Our
    /// template can't have gone: we hold a share of its migrations' key.)
    pub async fn make_clone(&mut self) -> Result<String, String> {
        let mine = self.next_name();
        self.create_clone(&mine).await.map(|()| mine)
    }

    async fn create_clone(&mut self, name: &str) -> Result<(), String> {
        let (template, copy) = (names::template(&self.hash), self.copy);
        self.exec(&format!(
            "CREATE DATABASE {name} TEMPLATE {template} {copy}"
        ))
        .await
    }

    /// Makes one clone for the stock: under our name first (if we die
    /// half-way, it is a dead owner's and gets swept), then renamed.
    pub async fn make_stock(&mut self) -> Result<(), String> {
        let name = self.next_name();
        self.create_clone(&name).await?;
        self.give_to_stock(&name).await
    }

    /// Renames an unused clone of ours into the stock, with the time.
    pub async fn give_to_stock(&mut self, name: &str) -> Result<(), String> {
        let stamp = names::comment("stock", names::unix_now());
        let stock = names::stock(&self.hash);
        self.exec(&format!(
            "COMMENT ON DATABASE {name} IS '{stamp}'; \
             ALTER DATABASE {name} RENAME TO {stock}"
        ))
        .await
    }

    /// Drops a database a test of ours finished with, ending its sessions
    /// (it is ours, and its test is over); or, when the test failed, marks
    /// it kept with the time: the rule leaves it a day.
    pub async fn finish(
        &mut self,
        name: &str,
        keep: bool,
    ) -> Result<(), String> {
        let stamp = names::comment("kept", names::unix_now());
        self.exec(&match keep {
            false => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            true => format!("COMMENT ON DATABASE {name} IS '{stamp}'"),
        })
        .await?;
        self.server.note_kept(name, keep);
        Ok(())
    }

    /// How many clean clones of our migrations wait on the server.
    pub async fn stock_count(&mut self) -> Result<i64, String> {
        let pattern = names::stock_pattern(&self.hash);
        let sql = format!(
            "SELECT count(*) FROM pg_database WHERE datname LIKE '{pattern}'"
        );
        Ok(self.row::<(i64,)>(&sql).await?.0)
    }
}

/// Drops what [`names::may_drop`] allows, once, on its own session. The
/// locks are read once, for the whole server; an owner that has gone can't
/// come back (keys are never reused). No `FORCE`: if someone connected
/// since, the `DROP` fails and the database stays.
pub async fn sweep(server: Arc<Server>, hash: String) {
    let Ok(mut conn) = connect(&server, None).await else {
        return;
    };
    // Best effort: what is busy now is left for the next sweep, not waited
    // for (a DROP that waits for a lock would hold up every one after it).
    // Our template is in use: fresh again (only another role's refuses).
    let stamp = names::comment("template", names::unix_now());
    let touch = format!(
        "SET lock_timeout = '200ms'; \
         COMMENT ON DATABASE {} IS '{stamp}'",
        names::template(&hash)
    );
    let _ = conn.execute(&*touch).await;
    let found = sqlx::query_as::<_, (String, String, i64)>(
        "SELECT d.datname::text, \
            coalesce(shobj_description(d.oid, 'pg_database'), ''), \
            coalesce(s.numbackends, 0)::bigint \
         FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid \
         WHERE d.datname LIKE 'testdb\\_%' AND d.datdba = \
            (SELECT oid FROM pg_roles WHERE rolname = current_user)",
    )
    .fetch_all(&mut conn)
    .await;
    let Ok(found) = found else { return };
    // The locks after the names, never before: an owner locks its key
    // before its name exists, so every owner of a name we saw is in `held`
    // unless it has gone. (Read first, a process that started in between
    // would look dead.)
    let held = sqlx::query_scalar(
        "SELECT (classid::bigint << 32) | objid::bigint FROM pg_locks \
         WHERE locktype = 'advisory' AND objsubid = 1 AND granted",
    )
    .fetch_all(&mut conn)
    .await;
    // Without the locks, no owner is known to have gone: drop nothing.
    let Ok(held) = held.map(HashSet::<i64>::from_iter) else {
        return;
    };
    let stale = std::env::var("TESTDB_STALE_SECS").ok();
    let stale = stale.and_then(|s| s.parse().ok()).unwrap_or(86_400);
    let stale_before = names::unix_now().saturating_sub(stale);
    for db in found {
        if names::may_drop(&db, &held, stale_before) {
            // A template can't be dropped, and DROP DATABASE runs alone.
            let name = db.0;
            let sql = format!("ALTER DATABASE {name} IS_TEMPLATE false");
            let _ = conn.execute(&*sql).await;
            let dropped = conn.execute(&*format!("DROP DATABASE {name}")).await;
            if dropped.is_ok() {
                server.note_kept(&name, false);
            }
        }
    }
}

/// An admin session: no statement of it waits more than 2 s for a lock
/// or runs more than a minute, so a stalled peer can't stall us.
pub async fn connect(
    server: &Server,
    database: Option<&str>,
) -> Result<PgConnection, String> {
    let options = server
        .options(database)
        .application_name("testdb")
        .options([("lock_timeout", "2s"), ("statement_timeout", "60s")]);
    let conn = PgConnection::connect_with(&options).await;
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
    match migrated {
        Ok(()) => Ok(()),
        Err(MigrateError::ExecuteMigration(cause, version)) => {
            let migration = migrator.iter().find(|m| m.version == version);
            Err(format!(
                "migration {version} ({}) failed in the template: {cause}; \
                 fix that migration and run again",
                migration.map_or("", |m| &*m.description)
            ))
        }
        Err(error) => {
            Err(format!("the migrations failed in the template: {error}"))
        }
    }
}
