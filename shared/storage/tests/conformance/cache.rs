//! Every cache backend keeps the same promises: a version never replaces a newer one, removed
//! entries are gone, entries expire, and an unreachable cache reads as a miss.

use std::time::Duration;

use bytes::Bytes;
use storage::VersionedCache;

const TTL: Duration = Duration::from_millis(400);

async fn in_process() -> Option<VersionedCache> {
    Some(VersionedCache::in_process("test", 100, TTL))
}

async fn redis() -> Option<VersionedCache> {
    let url = testkit::redis().await?;
    Some(VersionedCache::redis("test", &url, &testkit::unique_prefix("cache"), TTL).unwrap())
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod in_process_cache {
            $(#[tokio::test]
            async fn $name() {
                if let Some(cache) = super::in_process().await { super::$name(cache).await }
            })*
        }
        mod redis_cache {
            $(#[tokio::test]
            async fn $name() {
                if let Some(cache) = super::redis().await { super::$name(cache).await }
            })*
        }
    };
}

conformance!(
    a_miss_then_a_hit,
    an_older_version_never_replaces_a_newer_one,
    removed_entries_are_gone,
    entries_expire,
    keys_are_independent,
);

async fn a_miss_then_a_hit(cache: VersionedCache) {
    assert_eq!(cache.get("k").await, None);
    cache.put("k", 1, Bytes::from_static(b"one")).await.unwrap();
    assert_eq!(cache.get("k").await, Some(Bytes::from_static(b"one")));
    cache.ping().await.unwrap();
}

async fn an_older_version_never_replaces_a_newer_one(cache: VersionedCache) {
    cache.put("k", 2, Bytes::from_static(b"two")).await.unwrap();
    cache.put("k", 1, Bytes::from_static(b"one")).await.unwrap();
    assert_eq!(cache.get("k").await, Some(Bytes::from_static(b"two")));
    cache.put("k", 2, Bytes::from_static(b"other two")).await.unwrap();
    assert_eq!(
        cache.get("k").await,
        Some(Bytes::from_static(b"two")),
        "same version is not rewritten"
    );
    cache.put("k", 3, Bytes::from_static(b"three")).await.unwrap();
    assert_eq!(cache.get("k").await, Some(Bytes::from_static(b"three")));

    // Racing writers of many versions: whatever the order, the newest one stays.
    let puts = (1..=40).rev().map(|v| {
        let cache = &cache;
        async move { cache.put("race", v, Bytes::from(v.to_string())).await.unwrap() }
    });
    futures::future::join_all(puts).await;
    assert_eq!(cache.get("race").await, Some(Bytes::from_static(b"40")));
}

async fn removed_entries_are_gone(cache: VersionedCache) {
    cache.put("k", 5, Bytes::from_static(b"five")).await.unwrap();
    cache.remove("k").await.unwrap();
    assert_eq!(cache.get("k").await, None);
    // After a removal any version may be stored again (it is the database's current one).
    cache.put("k", 4, Bytes::from_static(b"four")).await.unwrap();
    assert_eq!(cache.get("k").await, Some(Bytes::from_static(b"four")));
}

async fn entries_expire(cache: VersionedCache) {
    cache.put("k", 1, Bytes::from_static(b"one")).await.unwrap();
    tokio::time::sleep(TTL + Duration::from_millis(300)).await;
    assert_eq!(cache.get("k").await, None);
}

async fn keys_are_independent(cache: VersionedCache) {
    cache.put("a", 9, Bytes::from_static(b"a9")).await.unwrap();
    cache.put("b", 1, Bytes::from_static(b"b1")).await.unwrap();
    assert_eq!(cache.get("b").await, Some(Bytes::from_static(b"b1")));
    assert_eq!(cache.get("a").await, Some(Bytes::from_static(b"a9")));
}

/// Each process keeps copies of what it read from Redis; a change another process makes is read
/// as soon as Redis's invalidation arrives, long before the copies' own time runs out.
#[tokio::test]
async fn a_change_made_by_another_process_replaces_this_ones_copy() {
    let Some(url) = testkit::redis().await else { return };
    let prefix = testkit::unique_prefix("cache");
    let ttl = Duration::from_secs(60);
    let (here, elsewhere) = (
        VersionedCache::redis("test", &url, &prefix, ttl).unwrap(),
        VersionedCache::redis("test", &url, &prefix, ttl).unwrap(),
    );
    elsewhere.put("k", 1, Bytes::from_static(b"one")).await.unwrap();
    for _ in 0..3 {
        assert_eq!(here.get("k").await, Some(Bytes::from_static(b"one")));
    }
    for (version, value) in [(2, "two"), (3, "three")] {
        elsewhere.put("k", version, Bytes::from(value)).await.unwrap();
        // The invalidation travels beside the writer's reply; a copy kept without it would be
        // read for two seconds.
        let mut read = here.get("k").await;
        for _ in 0..100 {
            if read == Some(Bytes::from(value)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            read = here.get("k").await;
        }
        assert_eq!(read, Some(Bytes::from(value)));
    }
    elsewhere.remove("k").await.unwrap();
    let mut read = here.get("k").await;
    for _ in 0..100 {
        if read.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        read = here.get("k").await;
    }
    assert_eq!(read, None);
}

#[tokio::test]
async fn an_unreachable_redis_reads_as_a_miss_and_fails_writes_and_ping() {
    let cache = VersionedCache::redis("test", "redis://127.0.0.1:1", "unreachable", TTL).unwrap();
    assert_eq!(cache.get("k").await, None);
    assert!(cache.put("k", 1, Bytes::from_static(b"one")).await.is_err());
    assert!(cache.ping().await.is_err());
}

#[test]
fn a_malformed_redis_url_is_refused() {
    assert!(VersionedCache::redis("test", "not a url", "p", TTL).is_err());
}
