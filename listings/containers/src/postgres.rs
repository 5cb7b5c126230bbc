//! Which PostgreSQL image a test runs, and how it starts.

use std::env;

use testcontainers::{
    ContainerAsync, ContainerRequest, ImageExt, core::Mount,
    runners::AsyncRunner,
};
use testcontainers_modules::postgres::Postgres;

use crate::LABEL;

// ANCHOR: image -- POSTGRES_IMAGE and POSTGRES_TAG, else the official image
/// Read at run time, so a machine that can't pull the official image (a
/// company mirror, a CI runner without a registry) can name another one.
pub const IMAGE_VAR: &str = "POSTGRES_IMAGE";
pub const TAG_VAR: &str = "POSTGRES_TAG";
/// The official image, at the major version CI runs.
pub const DEFAULT_IMAGE: &str = "postgres";
pub const DEFAULT_TAG: &str = "15";

/// The container every test in this crate starts.
pub fn image() -> ContainerRequest<Postgres> {
    let name = env::var(IMAGE_VAR).unwrap_or_else(|_| DEFAULT_IMAGE.into());
    let tag = env::var(TAG_VAR).unwrap_or_else(|_| DEFAULT_TAG.into());
    Postgres::default()
        .with_name(name)
        .with_tag(tag)
        // Who started it: lets a later check find what a run left behind.
        .with_label(LABEL, std::process::id().to_string())
        // A test database needs no durability: keep its files in RAM, so
        // `initdb` and every write skip the disk.
        .with_mount(Mount::tmpfs_mount("/var/lib/postgresql/data"))
}
// ANCHOR_END: image

/// A started PostgreSQL container and the URL to reach it from the host.
pub struct RunningPostgres {
    /// Removes the container when dropped (also when the test panics).
    pub container: ContainerAsync<Postgres>,
    /// `postgres://postgres:postgres@<host>:<port>/postgres`
    pub url: String,
}

// ANCHOR: start
/// Starts a container and waits until PostgreSQL accepts connections.
pub async fn start() -> RunningPostgres {
    let request = image();
    let which = request.descriptor();
    let container = request.start().await.unwrap_or_else(|error| {
        panic!(
            "could not start {which}: {error}. If the image can't be pulled \
             (no registry reachable), build one from Debian packages with \
             ci/images/build-postgres and run with \
             {IMAGE_VAR}=local/postgres {TAG_VAR}=15"
        )
    });
    // The host and the port Docker published 5432 on: the host is not always
    // localhost (a remote DOCKER_HOST); the port is random, so runs can't
    // collide.
    let host = container
        .get_host()
        .await
        .expect("the engine reports the container's host");
    let port = container
        .get_host_port_ipv4(5432)
        .await
        .expect("5432 is published");
    let url = format!("postgres://postgres:postgres@{host}:{port}/postgres");
    RunningPostgres { container, url }
}
// ANCHOR_END: start

/// The same server's URL with another database: `…/postgres` becomes
/// `…/<database>`.
pub fn url_with_database(server_url: &str, database: &str) -> String {
    let (server, _) = server_url
        .rsplit_once('/')
        .expect("a postgres:// URL has a path");
    format!("{server}/{database}")
}
