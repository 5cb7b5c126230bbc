//! One test, two caches: the double in memory and Redis in a container.

use std::time::Duration;

use containers::{
    cache::{Cache, MemoryCache, RedisCache, start_redis},
    engine::docker_or_skip,
};

// ANCHOR: same_test
/// What every cache must do, the double and Redis alike: keep a value,
/// then forget it once its time to live is up.
async fn keeps_a_value_until_it_expires(cache: impl Cache) {
    cache.put("user:1", "Ada", Duration::from_secs(1)).await;
    assert_eq!(cache.get("user:1").await.as_deref(), Some("Ada"));
    assert_eq!(cache.get("user:2").await, None);
    // Expiry takes time to show: look again until it does, with a deadline.
    let expired = async {
        while cache.get("user:1").await.is_some() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), expired)
        .await
        .expect("user:1 was still cached 10 s after its TTL of 1 s");
}

#[tokio::test]
async fn the_double_forgets_a_value_when_it_expires() {
    keeps_a_value_until_it_expires(MemoryCache::default()).await;
}

#[tokio::test]
async fn redis_forgets_a_value_when_it_expires() {
    if !docker_or_skip().await {
        return;
    }
    let redis = start_redis().await;
    let cache = RedisCache::connect(&redis.url).await;
    keeps_a_value_until_it_expires(cache).await;
}
// ANCHOR_END: same_test
