//! An upstream service that may run as several replicas. Its address is a comma list of base
//! URLs (`INVENTORY_CATALOG_URL=http://catalog-a:8001,http://catalog-b:8001`); calls go to the
//! replicas in turn, each replica has its own [`Breaker`], and a replica that fails is left out
//! (ejected) until its breaker lets a call probe it again. A replica that refuses the
//! connection is ejected at once when there are others, and the call goes to the next one:
//! nothing reached the first, so any request, a sale included, may be sent again.
//!
//! Written here rather than with tower's `balance`: that balances tower `Service`s, while every
//! call between the services is a `reqwest` request sent through [`crate::local::send`] (in the
//! same process when the replica is served here), and ejection is the breaker the calls already
//! go through. What is left is a round-robin index and the loop of [`Replicas::send`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http::StatusCode;
use url::Url;

use crate::breaker::{Admitted, Breaker, Open};

/// The replicas of one upstream.
pub struct Replicas {
    upstream: &'static str,
    replicas: Box<[Replica]>,
    next: AtomicUsize,
    /// Which answers count against a replica's breaker.
    unhealthy: fn(StatusCode) -> bool,
}

struct Replica {
    base: Url,
    breaker: Breaker,
}

#[derive(Debug, thiserror::Error)]
pub enum InvalidReplicas {
    #[error("no address for {upstream}")]
    Empty { upstream: &'static str },
    #[error("invalid address {url:?} for {upstream}: {reason}")]
    Url {
        upstream: &'static str,
        url: String,
        reason: String,
    },
}

/// A call that got no answer from any replica.
#[derive(Debug, thiserror::Error)]
pub enum Unanswered {
    /// Every replica's breaker is open: each failed repeatedly and is left alone for a while.
    #[error("{upstream} is unavailable (every replica's circuit is open)")]
    Open {
        upstream: &'static str,
        retry_after: Duration,
    },
    #[error("{upstream} did not answer: {}", describe(.error))]
    Failed {
        upstream: &'static str,
        error: reqwest::Error,
    },
}

impl Replicas {
    /// The replicas of `upstream` at the comma-separated base URLs in `list`.
    pub fn parse(upstream: &'static str, list: &str) -> Result<Replicas, InvalidReplicas> {
        let replicas = list
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(|url| {
                let base = Url::parse(url).map_err(|e| InvalidReplicas::Url {
                    upstream,
                    url: url.to_owned(),
                    reason: e.to_string(),
                })?;
                let breaker = Breaker::new(upstream, base.as_str().trim_end_matches('/'));
                Ok(Replica { base, breaker })
            })
            .collect::<Result<Box<[Replica]>, InvalidReplicas>>()?;
        if replicas.is_empty() {
            return Err(InvalidReplicas::Empty { upstream });
        }
        Ok(Replicas {
            upstream,
            replicas,
            next: AtomicUsize::new(0),
            unhealthy: said_by_a_proxy,
        })
    }

    /// Counts every 5xx answer against a replica's breaker, not only a proxy's 502 and 504:
    /// for a caller that had rather fail fast than wait on a replica whose own dependencies
    /// are down (the sales service, whose counter must answer at once).
    pub fn counting_server_errors(self) -> Replicas {
        Replicas {
            unhealthy: |status| status.is_server_error(),
            ..self
        }
    }

    pub fn upstream(&self) -> &'static str {
        self.upstream
    }

    /// How many replicas there are.
    pub fn count(&self) -> usize {
        self.replicas.len()
    }

    /// The replicas' base URLs, in the order they were given.
    pub fn bases(&self) -> impl Iterator<Item = &Url> {
        self.replicas.iter().map(|r| &r.base)
    }

    /// Whether every replica's breaker refuses calls now.
    pub fn all_open(&self) -> bool {
        self.replicas.iter().all(|r| r.breaker.is_open())
    }

    /// The next replica in turn whose breaker admits a call. The call's outcome must be told
    /// to the [`Pick`] (dropping it untold counts for nothing).
    pub fn pick(&self) -> Result<Pick<'_>, Open> {
        let count = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut soonest: Option<Duration> = None;
        for offset in 0..count {
            let at = (start + offset) % count;
            let replica = &self.replicas[at];
            match replica.breaker.admit() {
                Ok(admitted) => {
                    return Ok(Pick {
                        replicas: self,
                        at,
                        admitted,
                        told: false,
                    });
                }
                Err(open) => {
                    soonest = Some(soonest.map_or(open.retry_after, |s| s.min(open.retry_after)));
                }
            }
        }
        Err(Open {
            retry_after: soonest.unwrap_or_default(),
        })
    }

    /// Sends the request `build` makes for a replica's base URL, through
    /// [`crate::local::send`]. A replica that cannot be connected to is ejected and the next
    /// one is tried, up to every replica once; any other failure is the caller's to handle
    /// (the request may have been carried out).
    pub async fn send(
        &self,
        build: impl Fn(&Url) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, Unanswered> {
        let mut failure = None;
        for _ in 0..self.replicas.len() {
            let pick = match self.pick() {
                Ok(pick) => pick,
                Err(open) => {
                    return Err(failure.unwrap_or(Unanswered::Open {
                        upstream: self.upstream,
                        retry_after: open.retry_after,
                    }));
                }
            };
            match crate::local::send(build(pick.base())).await {
                Ok(response) => {
                    pick.answered(response.status());
                    return Ok(response);
                }
                Err(error) => {
                    let unreached = error.is_connect();
                    pick.failed(&error);
                    tracing::warn!(upstream = self.upstream, error = %describe(&error), "upstream replica failed");
                    failure = Some(Unanswered::Failed {
                        upstream: self.upstream,
                        error,
                    });
                    if !unreached {
                        break;
                    }
                }
            }
        }
        Err(failure.expect("at least one replica was tried"))
    }

    /// `Ok` when at least one replica's `/health` answers 200 within `timeout`.
    pub async fn check_health(&self, client: &reqwest::Client, timeout: Duration) -> Result<(), String> {
        let checks = self.replicas.iter().map(|replica| async move {
            let url = replica.base.join("/health").map_err(|e| e.to_string())?;
            let answer = crate::local::send(client.get(url).timeout(timeout))
                .await
                .map_err(|e| format!("{}: {}", replica.base, describe(&e)))?;
            if answer.status().is_success() {
                Ok(())
            } else {
                Err(format!("{}: /health answered {}", replica.base, answer.status()))
            }
        });
        let outcomes = futures::future::join_all(checks).await;
        if outcomes.iter().any(Result::is_ok) {
            return Ok(());
        }
        let failures: Vec<String> = outcomes.into_iter().filter_map(Result::err).collect();
        Err(failures.join("; "))
    }
}

/// A replica chosen for one call.
pub struct Pick<'a> {
    replicas: &'a Replicas,
    at: usize,
    admitted: Admitted,
    told: bool,
}

impl Pick<'_> {
    fn replica(&self) -> &Replica {
        &self.replicas.replicas[self.at]
    }

    pub fn base(&self) -> &Url {
        &self.replica().base
    }

    /// The replica answered with `status`: healthy unless a proxy before it said 502 or 504
    /// (a 503 is a service's own considered answer: its dependency is down, with
    /// `Retry-After`), or any 5xx for [`Replicas::counting_server_errors`].
    pub fn answered(mut self, status: StatusCode) {
        self.told = true;
        let healthy = !(self.replicas.unhealthy)(status);
        self.replica().breaker.record(healthy);
    }

    /// The replica answered, whatever it said: for a caller of the gateway, whose own 502 and
    /// 504 speak of the services behind it, not of itself.
    pub fn reached(mut self) {
        self.told = true;
        self.replica().breaker.record(true);
    }

    /// The call failed with `error`: a replica that refused the connection is ejected at once
    /// while another replica is in turn; any other failure, or the last replica in turn
    /// refusing, counts towards opening its breaker.
    pub fn failed(mut self, error: &reqwest::Error) {
        self.told = true;
        let others_in_turn = self
            .replicas
            .replicas
            .iter()
            .enumerate()
            .any(|(at, other)| at != self.at && !other.breaker.is_open());
        if error.is_connect() && others_in_turn {
            self.replica().breaker.trip();
        } else {
            self.replica().breaker.record(false);
        }
    }
}

impl Drop for Pick<'_> {
    fn drop(&mut self) {
        if !self.told {
            self.replica().breaker.abandon(self.admitted);
        }
    }
}

/// A proxy's answers for an upstream it could not reach (502, 504): the only answers that
/// speak of a service's health rather than being its own (a 503 is its considered answer that
/// a dependency is down).
pub fn said_by_a_proxy(status: StatusCode) -> bool {
    matches!(status, StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT)
}

/// `path` (with its query) on the replica at `base`, exactly as given: `path` is already
/// encoded.
pub fn at(base: &Url, path: &str) -> String {
    format!("{}{path}", base.as_str().trim_end_matches('/'))
}

/// The error with its causes, which reqwest's own message leaves out.
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;

    /// A replica answering its own name, served on a loopback port (over the network: these
    /// tests never register in-process routers).
    async fn replica(name: &'static str) -> (String, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let router = Router::new()
            .route("/who", get(move || async move { name }))
            .route("/health", get(|| async { "ok" }));
        let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (address, server)
    }

    /// A loopback address nothing listens on.
    fn closed() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    }

    async fn who(replicas: &Replicas, client: &reqwest::Client) -> Result<String, Unanswered> {
        let answer = replicas
            .send(|base| client.get(base.join("/who").unwrap()))
            .await?;
        Ok(answer.text().await.unwrap())
    }

    #[test]
    fn a_list_is_parsed_and_bad_addresses_are_refused() {
        let replicas = Replicas::parse("catalog", " http://a:8001 ,http://b:8001/,").unwrap();
        let bases: Vec<&str> = replicas.bases().map(Url::as_str).collect();
        assert_eq!(bases, ["http://a:8001/", "http://b:8001/"]);
        assert!(matches!(
            Replicas::parse("catalog", " , "),
            Err(InvalidReplicas::Empty { upstream: "catalog" })
        ));
        assert!(matches!(
            Replicas::parse("catalog", "http://a:8001,not a url"),
            Err(InvalidReplicas::Url { .. })
        ));
    }

    #[tokio::test]
    async fn calls_take_turns_and_a_replica_that_is_down_is_left_out_without_a_failed_call() {
        let (a, _a) = replica("a").await;
        let (b, _b) = replica("b").await;
        let client = reqwest::Client::new();
        let replicas = Replicas::parse("test", &format!("{a},{b}")).unwrap();
        let mut answers = Vec::new();
        for _ in 0..4 {
            answers.push(who(&replicas, &client).await.unwrap());
        }
        assert_eq!(answers, ["a", "b", "a", "b"]);

        let down = closed();
        let replicas = Replicas::parse("test", &format!("{down},{b}")).unwrap();
        for _ in 0..4 {
            assert_eq!(
                who(&replicas, &client).await.unwrap(),
                "b",
                "the call moves on to b"
            );
        }
        assert!(
            replicas.replicas[0].breaker.is_open(),
            "the unreachable replica is ejected"
        );
        assert!(!replicas.all_open());
        replicas
            .check_health(&client, Duration::from_secs(2))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_ejected_replica_is_probed_back_once_it_answers_again() {
        let (b, _b) = replica("b").await;
        let down = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = down.local_addr().unwrap();
        drop(down);
        let client = reqwest::Client::new();
        let replicas = Replicas::parse("test", &format!("http://{address},{b}")).unwrap();
        assert_eq!(who(&replicas, &client).await.unwrap(), "b");
        assert!(replicas.replicas[0].breaker.is_open());

        // The replica comes back on its address; past the open period one call probes it.
        let listener = tokio::net::TcpListener::bind(address).await.unwrap();
        let router = Router::new().route("/who", get(|| async { "a" }));
        let _a = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        replicas.replicas[0].breaker.record(false);
        assert!(replicas.replicas[0].breaker.is_open());
        replicas.replicas[0].breaker.expire_for_test();
        let mut answers = Vec::new();
        for _ in 0..4 {
            answers.push(who(&replicas, &client).await.unwrap());
        }
        assert!(
            answers.contains(&"a".to_owned()),
            "a is back in turn: {answers:?}"
        );
        assert_eq!(replicas.replicas[0].breaker.state(), "closed");
    }

    #[tokio::test]
    async fn when_every_replica_is_down_the_caller_is_told_why() {
        let client = reqwest::Client::new();
        let replicas = Replicas::parse("test", &format!("{},{}", closed(), closed())).unwrap();
        match who(&replicas, &client).await {
            Err(Unanswered::Failed { error, .. }) => assert!(error.is_connect()),
            other => panic!("expected the last connection failure, got {other:?}"),
        }
        // The first was ejected; the last in turn only counts failures until its breaker opens.
        assert!(!replicas.all_open());
        for _ in 1..crate::breaker::FAILURES_TO_OPEN {
            if replicas.all_open() {
                break;
            }
            assert!(matches!(
                who(&replicas, &client).await,
                Err(Unanswered::Failed { .. })
            ));
        }
        assert!(replicas.all_open());
        assert!(matches!(
            who(&replicas, &client).await,
            Err(Unanswered::Open { retry_after, .. }) if retry_after > Duration::ZERO
        ));
        assert!(
            replicas
                .check_health(&client, Duration::from_secs(2))
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn the_last_replica_in_turn_is_not_ejected_by_one_refused_connection() {
        let client = reqwest::Client::new();
        let replicas = Replicas::parse("test", &format!("{},{}", closed(), closed())).unwrap();
        replicas.replicas[0].breaker.trip();
        let pick = replicas.pick().expect("the second is in turn");
        assert_eq!(pick.at, 1);
        let refused = client
            .get(pick.base().join("/who").unwrap())
            .send()
            .await
            .unwrap_err();
        pick.failed(&refused);
        assert!(
            !replicas.replicas[1].breaker.is_open(),
            "one refusal of the last one counts, no more"
        );
    }

    #[tokio::test]
    async fn a_caller_counting_server_errors_opens_a_breaker_on_503s() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = Router::new().route("/who", get(|| async { http::StatusCode::SERVICE_UNAVAILABLE }));
        let _server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let client = reqwest::Client::new();
        let lenient = Replicas::parse("test", &base).unwrap();
        let strict = Replicas::parse("test", &base).unwrap().counting_server_errors();
        for _ in 0..crate::breaker::FAILURES_TO_OPEN {
            assert_eq!(who(&lenient, &client).await.unwrap(), "");
            assert_eq!(who(&strict, &client).await.unwrap(), "");
        }
        assert!(!lenient.all_open(), "a 503 is the service's own answer");
        assert!(strict.all_open(), "counted as failures, 503s open the breaker");
    }

    #[tokio::test]
    async fn a_single_replica_is_not_ejected_by_one_refused_connection() {
        let client = reqwest::Client::new();
        let replicas = Replicas::parse("test", &closed()).unwrap();
        assert!(who(&replicas, &client).await.is_err());
        assert!(
            !replicas.all_open(),
            "one failure of the only replica leaves it closed"
        );
    }
}
