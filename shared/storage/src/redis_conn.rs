//! One Redis connection per use (a cache, the gateway's rate limits), opened on first use so a
//! service can start while Redis is still down, and reconnecting by itself afterwards. Short
//! timeouts: a request must never wait long on Redis, which only ever speeds things up.

use std::time::Duration;

use redis::RedisError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

pub struct LazyRedis {
    client: redis::Client,
    conn: OnceCell<ConnectionManager>,
    timeout: Duration,
}

impl LazyRedis {
    /// Checks the URL; connects later, on the first [`LazyRedis::connection`].
    pub fn new(url: &str, timeout: Duration) -> Result<LazyRedis, RedisError> {
        Ok(LazyRedis {
            client: redis::Client::open(url)?,
            conn: OnceCell::new(),
            timeout,
        })
    }

    pub async fn connection(&self) -> Result<ConnectionManager, RedisError> {
        let conn = self
            .conn
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.timeout))
                    .set_response_timeout(Some(self.timeout))
                    .set_number_of_retries(1);
                ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await?;
        Ok(conn.clone())
    }
}
