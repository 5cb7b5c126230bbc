//! A cache in front of slow reads, two ways: a double in memory for most
//! tests, and Redis in a container for the tests that check Redis itself.

use std::{
    collections::HashMap,
    env,
    sync::Mutex,
    time::{Duration, Instant},
};

use redis::{AsyncCommands, aio::MultiplexedConnection};
use testcontainers::{ContainerAsync, ImageExt, runners::AsyncRunner};
use testcontainers_modules::redis::{REDIS_PORT, Redis};

use crate::LABEL;

// ANCHOR: cache
/// What the app needs from a cache: values that expire.
// Used through generics only, never as `dyn Cache`, so the futures need no
// `Send` bound and plain `async fn` is enough.
#[allow(async_fn_in_trait)]
pub trait Cache {
    async fn put(&self, key: &str, value: &str, ttl: Duration);
    async fn get(&self, key: &str) -> Option<String>;
}

/// The double: a map, each value stored with the instant it expires.
#[derive(Default)]
pub struct MemoryCache(Mutex<HashMap<String, (String, Instant)>>);

impl Cache for MemoryCache {
    async fn put(&self, key: &str, value: &str, ttl: Duration) {
        let entry = (value.to_owned(), Instant::now() + ttl);
        self.0.lock().unwrap().insert(key.to_owned(), entry);
    }

    async fn get(&self, key: &str) -> Option<String> {
        let map = self.0.lock().unwrap();
        let (value, expires) = map.get(key)?;
        (Instant::now() < *expires).then(|| value.clone())
    }
}
// ANCHOR_END: cache

// ANCHOR: redis
/// The real thing. One connection, cloned per command: clones share it.
pub struct RedisCache(MultiplexedConnection);

impl RedisCache {
    pub async fn connect(url: &str) -> RedisCache {
        let client = redis::Client::open(url).expect("a redis:// URL");
        let connection = client
            .get_multiplexed_async_connection()
            .await
            .unwrap_or_else(|e| panic!("could not connect to {url}: {e}"));
        RedisCache(connection)
    }
}

impl Cache for RedisCache {
    async fn put(&self, key: &str, value: &str, ttl: Duration) {
        // SET with PX: Redis counts the time to live in milliseconds.
        let ms = u64::try_from(ttl.as_millis()).expect("a sane TTL");
        let () = self.0.clone().pset_ex(key, value, ms).await.unwrap();
    }

    async fn get(&self, key: &str) -> Option<String> {
        self.0.clone().get(key).await.unwrap()
    }
}
// ANCHOR_END: redis

/// A started Redis container and the URL to reach it from the host.
pub struct RunningRedis {
    /// Removes the container when dropped (also when the test panics).
    pub container: ContainerAsync<Redis>,
    pub url: String,
}

/// Starts Redis from `REDIS_IMAGE`:`REDIS_TAG` (the official `redis:7` by
/// default), labelled like every container of this crate.
pub async fn start_redis() -> RunningRedis {
    let name = env::var("REDIS_IMAGE").unwrap_or_else(|_| "redis".into());
    let tag = env::var("REDIS_TAG").unwrap_or_else(|_| "7".into());
    let container = Redis::default()
        .with_name(&name)
        .with_tag(&tag)
        .with_label(LABEL, std::process::id().to_string())
        .start()
        .await
        .unwrap_or_else(|error| {
            panic!(
                "could not start {name}:{tag}: {error}. Without a registry, \
                 build it with ci/images/build-redis and run with \
                 REDIS_IMAGE=local/redis REDIS_TAG=7"
            )
        });
    let host = container.get_host().await.expect("the container's host");
    let port = container
        .get_host_port_ipv4(REDIS_PORT)
        .await
        .expect("6379 is published");
    let url = format!("redis://{host}:{port}");
    RunningRedis { container, url }
}
