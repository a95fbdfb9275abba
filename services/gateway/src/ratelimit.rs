//! Request limits per user or API token and per client address: a fixed one-minute window
//! counted in the gateway's memory, or in Redis when Redis is configured so that every
//! gateway replica counts against the same limit.
//!
//! Written here rather than with tower_governor: its limiter state lives in one process, and
//! shared limits are the point of the Redis backend; one algorithm (an `INCR` per window)
//! serves both backends identically, and both are tested against the same expectations.
//! If Redis stops answering, counting falls back to this process's memory rather than
//! refusing or waving every request through.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use secrecy::ExposeSecret;
use settings::Settings;
use storage::redis_conn::LazyRedis;

use crate::auth::AuthError;

const WINDOW_SECS: u64 = 60;
/// The `scope` of `rate_limited_total`: which limit refused.
const ADDRESS: &str = "address";
const PRINCIPAL: &str = "user or token";
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);

/// Counts one request in `KEYS[1]`, which expires with its window.
const COUNT_LUA: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
";

pub struct RateLimiter {
    per_principal: u32,
    per_address: u32,
    local: moka::future::Cache<String, Arc<AtomicU32>>,
    redis: Option<SharedCounter>,
}

struct SharedCounter {
    redis: LazyRedis,
    prefix: String,
    count: redis::Script,
}

#[derive(Debug, thiserror::Error)]
pub enum LimiterError {
    #[error("invalid redis_url: {0}")]
    Url(String),
}

impl RateLimiter {
    pub fn new(settings: &Settings) -> Result<RateLimiter, LimiterError> {
        let redis = match &settings.redis_url {
            Some(url) => Some(SharedCounter {
                redis: LazyRedis::new(url.expose_secret(), REDIS_TIMEOUT)
                    .map_err(|e| LimiterError::Url(e.to_string()))?,
                prefix: format!("{}:gateway:rate:", settings.redis_key_prefix),
                count: redis::Script::new(COUNT_LUA),
            }),
            None => None,
        };
        // The series exist from start-up, so the first refusal after a restart shows in rates.
        for scope in [ADDRESS, PRINCIPAL] {
            metrics::counter!("rate_limited_total", "scope" => scope).increment(0);
        }
        metrics::counter!("rate_limit_fallbacks_total").increment(0);
        Ok(RateLimiter {
            per_principal: settings.rate_limit_per_minute,
            per_address: settings.rate_limit_per_address_per_minute,
            local: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(2 * WINDOW_SECS))
                .build(),
            redis,
        })
    }

    /// `local` or `redis`, for readiness and logs.
    pub fn kind(&self) -> &'static str {
        if self.redis.is_some() { "redis" } else { "local" }
    }

    pub async fn check_address(&self, address: IpAddr) -> Result<(), AuthError> {
        self.check(ADDRESS, &format!("addr:{address}"), self.per_address)
            .await
    }

    pub async fn check_principal(&self, key: &str) -> Result<(), AuthError> {
        self.check(PRINCIPAL, key, self.per_principal).await
    }

    async fn check(&self, scope: &'static str, key: &str, limit: u32) -> Result<(), AuthError> {
        if limit == 0 {
            return Ok(());
        }
        let now = u64::try_from(storage::clock::now_ms() / 1000).unwrap_or(0);
        let window = now / WINDOW_SECS;
        let key = format!("{key}:{window}");
        let count = match &self.redis {
            Some(shared) => match shared.count(&key).await {
                Ok(count) => count,
                Err(e) => {
                    metrics::counter!("rate_limit_fallbacks_total").increment(1);
                    tracing::warn!(error = %e, "Redis unavailable for rate limiting; counting in this process");
                    self.count_locally(&key).await
                }
            },
            None => self.count_locally(&key).await,
        };
        if count > u64::from(limit) {
            metrics::counter!("rate_limited_total", "scope" => scope).increment(1);
            return Err(AuthError::RateLimited {
                retry_after_secs: WINDOW_SECS - now % WINDOW_SECS,
                scope,
            });
        }
        Ok(())
    }

    async fn count_locally(&self, key: &str) -> u64 {
        let counter = self
            .local
            .get_with_by_ref(key, async { Arc::new(AtomicU32::new(0)) })
            .await;
        u64::from(counter.fetch_add(1, Ordering::Relaxed)) + 1
    }
}

impl SharedCounter {
    async fn count(&self, key: &str) -> Result<u64, redis::RedisError> {
        let mut conn = self.redis.connection().await?;
        self.count
            .key(format!("{}{key}", self.prefix))
            .arg(WINDOW_SECS * 1000)
            .invoke_async(&mut conn)
            .await
    }
}
