//! A read-through cache whose entries carry the version of the row they copy.
//!
//! Invalidation alone is not enough to stop stale reads: a reader that fetched version 1
//! from the database just before a writer committed version 2 could put version 1 back
//! into the cache after the writer cleared it. So every write here is "store if newer": the
//! writer stores version 2 after its commit, and a late reader's version 1 is refused. Entries
//! also expire, which bounds the damage if a write to the cache itself fails.

use std::num::NonZeroUsize;
use std::time::Duration;

use bytes::Bytes;
use moka::future::Cache;
use moka::ops::compute::Op;
use redis::aio::ConnectionManager;

use crate::redis_conn::LazyRedis;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("invalid Redis URL: {0}")]
    Url(String),
    #[error("Redis: {0}")]
    Redis(#[from] redis::RedisError),
}

#[derive(Clone)]
struct Entry {
    version: i64,
    value: Bytes,
}

enum Backend {
    InProcess(Cache<String, Entry>),
    Redis(Box<RedisBackend>),
}

struct RedisBackend {
    /// Connected on first use, so a catalog can start (and serve from its database) while
    /// Redis is still down.
    redis: LazyRedis,
    prefix: String,
    ttl: Duration,
    put_if_newer: redis::Script,
    /// The newest version of each key this process stored lately; see [`RedisBackend::get`].
    written: moka::sync::Cache<String, i64>,
}

/// Keeps copies of rows keyed by a string, each tagged with the row's version.
pub struct VersionedCache {
    name: &'static str,
    backend: Backend,
}

/// Stores field `d` (data) and `v` (version) unless the stored version is already as new.
const PUT_IF_NEWER_LUA: &str = r"
local current = redis.call('HGET', KEYS[1], 'v')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
";

const REDIS_TIMEOUT: Duration = Duration::from_millis(500);

/// How many of the values read from Redis each process also keeps, and for how long at most:
/// a read of a value kept here costs no round trip. Redis invalidates a copy as soon as its
/// key changes; the time bounds a copy only while Redis is stalled with the connection open,
/// as the gateway's memory of credentials is bounded.
const LOCAL_COPIES: NonZeroUsize = NonZeroUsize::new(10_000).expect("not zero");
const LOCAL_COPY_TTL: Duration = Duration::from_secs(2);

/// The cache's counters exist at 0 from its creation, so rates see its first request.
fn register(name: &'static str) {
    for result in ["hit", "miss"] {
        metrics::counter!("cache_requests_total", "cache" => name, "result" => result).increment(0);
    }
}

impl VersionedCache {
    /// A cache inside this process: fast, but each process has its own, so use Redis when a
    /// service runs as several replicas.
    pub fn in_process(name: &'static str, capacity: u64, ttl: Duration) -> Self {
        register(name);
        let cache = Cache::builder().max_capacity(capacity).time_to_live(ttl).build();
        VersionedCache {
            name,
            backend: Backend::InProcess(cache),
        }
    }

    /// A cache shared by every replica through Redis. Keys are prefixed with `prefix`.
    pub fn redis(name: &'static str, url: &str, prefix: &str, ttl: Duration) -> Result<Self, CacheError> {
        register(name);
        let redis = LazyRedis::with_local_copies(url, REDIS_TIMEOUT, LOCAL_COPIES, LOCAL_COPY_TTL)
            .map_err(|e| CacheError::Url(e.to_string()))?;
        Ok(VersionedCache {
            name,
            backend: Backend::Redis(Box::new(RedisBackend {
                redis,
                prefix: format!("{prefix}:"),
                ttl,
                put_if_newer: redis::Script::new(PUT_IF_NEWER_LUA),
                written: moka::sync::Cache::builder()
                    .max_capacity(LOCAL_COPIES.get() as u64)
                    .time_to_live(LOCAL_COPY_TTL)
                    .build(),
            })),
        })
    }

    /// `in-process` or `redis`, for logs and health output.
    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::InProcess(_) => "in-process",
            Backend::Redis(_) => "redis",
        }
    }

    /// The cached value, if any. A cache that cannot be reached counts as a miss: the caller
    /// falls back to the database, which is the source of truth.
    pub async fn get(&self, key: &str) -> Option<Bytes> {
        let found = match &self.backend {
            Backend::InProcess(cache) => Ok(cache.get(key).await.map(|e| e.value)),
            Backend::Redis(redis) => redis.get(key).await,
        };
        let (result, value) = match found {
            Ok(Some(v)) => ("hit", Some(v)),
            Ok(None) => ("miss", None),
            Err(e) => {
                tracing::warn!(cache = self.name, error = %e, "cache read failed; reading the database");
                ("error", None)
            }
        };
        metrics::counter!("cache_requests_total", "cache" => self.name, "result" => result).increment(1);
        value
    }

    /// Stores `value` as `version` of `key` unless the cache already holds that version or a
    /// newer one.
    pub async fn put(&self, key: &str, version: i64, value: Bytes) -> Result<(), CacheError> {
        match &self.backend {
            Backend::InProcess(cache) => {
                cache
                    .entry(key.to_owned())
                    .and_compute_with(|current| {
                        let op = match current {
                            Some(e) if e.value().version >= version => Op::Nop,
                            _ => Op::Put(Entry { version, value }),
                        };
                        std::future::ready(op)
                    })
                    .await;
                Ok(())
            }
            Backend::Redis(redis) => redis.put(key, version, value).await,
        }
    }

    /// Stores `value` as `version` of `key` after a write committed it, like [`put`]; if the
    /// cache cannot take it, drops `key` instead, so no reader is served a copy older than the
    /// one committed. Failures are logged, not returned: the write itself succeeded.
    ///
    /// [`put`]: VersionedCache::put
    pub async fn put_or_drop(&self, key: &str, version: i64, value: Bytes) {
        if let Err(e) = self.put(key, version, value).await {
            tracing::warn!(cache = self.name, key, error = %e, "cache write failed; dropping the entry");
            if let Err(e) = self.remove(key).await {
                tracing::error!(cache = self.name, key, error = %e, "cache entry could not be dropped; it expires by its TTL");
            }
        }
    }

    /// Drops `key`; used when a write could not store the new version.
    pub async fn remove(&self, key: &str) -> Result<(), CacheError> {
        match &self.backend {
            Backend::InProcess(cache) => {
                cache.invalidate(key).await;
                Ok(())
            }
            Backend::Redis(redis) => redis.remove(key).await,
        }
    }

    /// Checks the cache answers, for readiness.
    pub async fn ping(&self) -> Result<(), CacheError> {
        match &self.backend {
            Backend::InProcess(_) => Ok(()),
            Backend::Redis(redis) => {
                let mut conn = redis.connection().await?;
                redis::cmd("PING").query_async::<String>(&mut conn).await?;
                Ok(())
            }
        }
    }
}

impl RedisBackend {
    async fn connection(&self) -> Result<ConnectionManager, CacheError> {
        Ok(self.redis.connection().await?)
    }

    /// The value of `key`, from this process's copy when it holds one at least as new as
    /// this process last wrote (Redis's invalidation of a copy this process's own write made
    /// stale may still be on its way when the write's reply arrives), else from Redis.
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        let mut conn = self.connection().await?;
        let read = |local: bool| {
            let mut cmd = redis::cmd("HMGET");
            cmd.arg(format!("{}{key}", self.prefix)).arg("v").arg("d");
            cmd.set_cache_config(redis::CommandCacheConfig::new().set_enable_cache(local));
            cmd
        };
        let (mut version, mut value): (Option<i64>, Option<Vec<u8>>) =
            read(true).query_async(&mut conn).await?;
        if let Some(written) = self.written.get(key)
            && version.is_none_or(|v| v < written)
        {
            (version, value) = read(false).query_async(&mut conn).await?;
        }
        Ok(value.filter(|_| version.is_some()).map(Bytes::from))
    }

    async fn put(&self, key: &str, version: i64, value: Bytes) -> Result<(), CacheError> {
        let mut conn = self.connection().await?;
        let ttl_ms = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX);
        let _stored: i64 = self
            .put_if_newer
            .key(format!("{}{key}", self.prefix))
            .arg(version)
            .arg(value.as_ref())
            .arg(ttl_ms)
            .invoke_async(&mut conn)
            .await?;
        self.wrote(key, version);
        Ok(())
    }

    /// Remembers that this process stored `version` of `key` (or dropped it: `i64::MAX`), so
    /// that its own copies older than that are not read for as long as one could outlive it.
    fn wrote(&self, key: &str, version: i64) {
        self.written
            .entry(key.to_owned())
            .and_compute_with(|current| match current {
                Some(v) if *v.value() >= version => moka::ops::compute::Op::Nop,
                _ => moka::ops::compute::Op::Put(version),
            });
    }

    async fn remove(&self, key: &str) -> Result<(), CacheError> {
        let mut conn = self.connection().await?;
        redis::cmd("DEL")
            .arg(format!("{}{key}", self.prefix))
            .query_async::<i64>(&mut conn)
            .await?;
        self.wrote(key, i64::MAX);
        Ok(())
    }
}
