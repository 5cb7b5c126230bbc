//! The harness a reader can write in an afternoon, with nothing but sqlx:
//! the idea of `testdb` without its speed or its safety.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor, PgPool, postgres::PgConnectOptions};
use tokio::sync::OnceCell;

use crate::strategies::create_and_migrate;

// ANCHOR: handmade -- a database per test, by hand, in 30 lines
/// A database of one test's own, cloned from a template.
pub struct OwnDatabase {
    pub pool: PgPool,
    pub name: String,
    admin: PgPool,
}

/// Migrated by the process's first test, then reused.
static TEMPLATE: OnceCell<String> = OnceCell::const_new();

pub async fn own_database(server: &PgConnectOptions) -> OwnDatabase {
    let admin = PgPool::connect_with(server.clone()).await.unwrap();
    let template = TEMPLATE
        .get_or_init(|| async {
            let name = format!("handmade_{}_template", std::process::id());
            let mut conn = admin.acquire().await.unwrap();
            let migrated = create_and_migrate(&mut conn, server, &name);
            // Close it: nobody may be connected to a template being cloned.
            migrated.await.unwrap().close().await.unwrap();
            name
        })
        .await;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = format!("handmade_{}_{n}", std::process::id());
    let clone = format!("CREATE DATABASE {name} TEMPLATE {template}");
    admin.execute(clone.as_str()).await.unwrap();
    let pool = PgPool::connect_with(server.clone().database(&name));
    let pool = pool.await.unwrap();
    OwnDatabase { pool, name, admin }
}

impl OwnDatabase {
    /// Drops the database; a test that panics never gets here.
    pub async fn finish(self) {
        self.pool.close().await;
        // FORCE: a returned connection may still be closing.
        let drop = format!("DROP DATABASE {} WITH (FORCE)", self.name);
        self.admin.execute(drop.as_str()).await.unwrap();
    }
}
// ANCHOR_END: handmade

/// The template outlives every test of the process; the last one drops it.
pub async fn drop_template(server: &PgConnectOptions) {
    let Some(template) = TEMPLATE.get() else {
        return;
    };
    let admin = PgPool::connect_with(server.clone()).await.unwrap();
    let drop = format!("DROP DATABASE IF EXISTS {template}");
    admin.execute(drop.as_str()).await.unwrap();
}
