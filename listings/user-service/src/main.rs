//! Runs the service for real. All configuration comes from the environment:
//!
//! - `DATABASE_URL` (required): the PostgreSQL database to use.
//! - `EMAIL_BASE_URL` (required): base URL of the email service.
//! - `EMAIL_TIMEOUT_MS` (default 2000): per-call timeout for the email service.
//! - `BIND_ADDR` (default `127.0.0.1:3000`): where to listen.
//! - `WELCOME_EMAIL` (default `inline`): `inline` tries the welcome email
//!   during the request and leaves failures to the worker; `worker` leaves
//!   every welcome email to the worker (`src/bin/worker.rs`). Run the worker
//!   either way: it is what retries.

use std::{env, time::Duration};

use user_service::{
    AppConfig, Jobs, MIGRATOR, app_with, jobs::Delivery, serve,
};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    // Printed with `Display`, not returned from `main`: Rust would print the
    // error's `Debug` form, quotes escaped, which is harder to read.
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("user-service: {why}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let database_url = required("DATABASE_URL")?;
    let email_base_url = required("EMAIL_BASE_URL")?.parse()?;
    let timeout_ms: u64 = env::var("EMAIL_TIMEOUT_MS")
        .unwrap_or_else(|_| "2000".into())
        .parse()?;
    let bind_addr =
        env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let delivery = match env::var("WELCOME_EMAIL").as_deref() {
        Err(_) | Ok("inline") => Delivery::Inline,
        Ok("worker") => Delivery::Worker,
        Ok(other) => {
            return Err(format!(
                "WELCOME_EMAIL={other:?}: expected `inline` or `worker`"
            )
            .into());
        }
    };

    let pool = sqlx::PgPool::connect(&database_url).await?;
    MIGRATOR.run(&pool).await?;

    let config = AppConfig {
        pool,
        email_base_url,
        email_timeout: Duration::from_millis(timeout_ms),
    };
    let listener = tokio::net::TcpListener::bind(&bind_addr).await?;
    tracing::info!("listening on {}", listener.local_addr()?);
    serve(
        listener,
        app_with(
            config,
            Jobs {
                delivery,
                ..Jobs::default()
            },
        ),
    )
    .await?;
    Ok(())
}

fn required(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| {
        format!(
            "{name} is not set; see the doc comment at the top of src/main.rs"
        )
    })
}
