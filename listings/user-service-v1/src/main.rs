//! The thin binary: read the environment, build the app, serve it. Everything
//! worth testing is in the library (`src/lib.rs`), where tests can reach it.
//!
//! - `DATABASE_URL` (required): the PostgreSQL database to use.
//! - `BIND_ADDR` (default `127.0.0.1:3000`): where to listen.

use user_service_v1::{MIGRATOR, app, serve};

// ANCHOR: main -- the binary only reads the environment and calls the library
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let database_url = std::env::var("DATABASE_URL").map_err(|_| {
        "DATABASE_URL is not set: point it at a PostgreSQL database, e.g. \
         postgres://user:password@localhost:5432/users"
    })?;
    let bind_addr =
        std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());

    let pool = sqlx::PgPool::connect(&database_url).await?;
    MIGRATOR.run(&pool).await?;
    let listener = tokio::net::TcpListener::bind(&bind_addr).await?;
    tracing::info!("listening on {}", listener.local_addr()?);
    serve(listener, app(pool)).await?;
    Ok(())
}
// ANCHOR_END: main
