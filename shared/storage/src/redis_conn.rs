//! One Redis connection per use (a cache, the gateway's rate limits), opened on first use so a
//! service can start while Redis is still down, and reconnecting by itself afterwards. Short
//! timeouts: a request must never wait long on Redis, which only ever speeds things up.

use std::num::NonZeroUsize;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::caching::{CacheConfig, CacheMode};
use redis::{IntoConnectionInfo, ProtocolVersion, RedisError};
use tokio::sync::OnceCell;

pub struct LazyRedis {
    client: redis::Client,
    conn: OnceCell<ConnectionManager>,
    timeout: Duration,
    local_copies: Option<CacheConfig>,
}

impl LazyRedis {
    /// Checks the URL; connects later, on the first [`LazyRedis::connection`].
    pub fn new(url: &str, timeout: Duration) -> Result<LazyRedis, RedisError> {
        Ok(LazyRedis {
            client: redis::Client::open(url)?,
            conn: OnceCell::new(),
            timeout,
            local_copies: None,
        })
    }

    /// Like [`LazyRedis::new`], but the values of reads that ask for it
    /// (`redis::CommandCacheConfig`) are also kept in this process, at most
    /// `capacity` of them for at most `ttl`, and Redis tells the connection when one of their
    /// keys changes (server-assisted client-side caching, over RESP3; the redis crate keeps
    /// the copies and drops them on Redis's word, or all at once when it reconnects). A read
    /// of a key another process changed sees the change once Redis's invalidation arrives,
    /// which on the same connection comes after any reply read before the change. `ttl`
    /// bounds how long a copy can outlive a change whose invalidation never arrives (Redis
    /// stalled with the connection open).
    pub fn with_local_copies(
        url: &str,
        timeout: Duration,
        capacity: NonZeroUsize,
        ttl: Duration,
    ) -> Result<LazyRedis, RedisError> {
        let info = url.into_connection_info()?;
        let resp3 = info.redis_settings().clone().set_protocol(ProtocolVersion::RESP3);
        Ok(LazyRedis {
            client: redis::Client::open(info.set_redis_settings(resp3))?,
            conn: OnceCell::new(),
            timeout,
            local_copies: Some(
                CacheConfig::new()
                    .set_mode(CacheMode::OptIn)
                    .set_size(capacity)
                    .set_default_client_ttl(ttl),
            ),
        })
    }

    pub async fn connection(&self) -> Result<ConnectionManager, RedisError> {
        let conn = self
            .conn
            .get_or_try_init(|| {
                let mut config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.timeout))
                    .set_response_timeout(Some(self.timeout))
                    .set_number_of_retries(1);
                if let Some(local_copies) = self.local_copies {
                    config = config.set_cache_config(local_copies);
                }
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await?;
        Ok(conn.clone())
    }
}
