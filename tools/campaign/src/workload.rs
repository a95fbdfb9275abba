//! The clients: tills and back-office staff issuing a seeded random mix of every write the API
//! has (sales, voids, returns, restocks, adjustments, counts, transfers, purchase-order
//! receipts, and shifts: a till opened, cash sales rung up on it, cash paid in and out, closed
//! with the cash counted), each with an idempotency key and the key written into the operation's own note
//! (or reference), so that the checker can find each operation's effects. A client retries an
//! operation whose outcome it does not know with the same key and body, as the dashboard does,
//! and spreads its requests over the gateway replicas, skipping one that refuses the
//! connection, as a load balancer does.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const SKUS: usize = 12;
pub const LOCATIONS: [&str; 2] = ["main", "back"];
/// How long a client keeps retrying one operation before it records the outcome as unknown.
const GIVE_UP: Duration = Duration::from_secs(45);

pub fn sku(i: usize) -> String {
    format!("CAMP-{i:03}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Sale,
    Void,
    Return,
    Restock,
    Adjustment,
    Count,
    Transfer,
    Receipt,
    ShiftOpen,
    CashMovement,
    ShiftClose,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    /// A 2xx answer: the operation took effect.
    Acked(Value),
    /// A definitive 4xx (no stock, already voided, …): it must have had no effect.
    Refused { status: u16, problem: String },
    /// No definitive answer before the client gave up: at most one effect.
    Unknown(String),
}

#[derive(Debug, Clone)]
pub struct Record {
    pub kind: Kind,
    pub key: String,
    /// `METHOD path` and the body sent (the same at every attempt).
    pub request: String,
    pub body: Value,
    /// What each attempt before the last got: a status and problem type, or the error.
    pub retried: Vec<String>,
    pub outcome: Outcome,
}

impl Record {
    /// The record as one line of the run's history (`history.jsonl`).
    pub fn to_json(&self) -> Value {
        let outcome = match &self.outcome {
            Outcome::Acked(answer) => json!({"acknowledged": answer}),
            Outcome::Refused { status, problem } => {
                json!({"refused": {"status": status, "problem": problem}})
            }
            Outcome::Unknown(last) => json!({"unknown": last}),
        };
        json!({
            "kind": format!("{:?}", self.kind),
            "key": self.key,
            "request": self.request,
            "body": self.body,
            "retried": self.retried,
            "outcome": outcome,
        })
    }
}

/// The API through the gateway replicas, logged in as the first admin.
pub struct Api {
    client: reqwest::Client,
    gateways: Vec<String>,
    next: AtomicUsize,
}

impl Api {
    pub async fn login(gateways: Vec<String>, password: &str) -> anyhow::Result<Api> {
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", gateways[0]))
            .json(&json!({"username": "admin", "password": password}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let token = answer["token"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no token in {answer}"))?;
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse()?);
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(20))
            .build()?;
        Ok(Api {
            client,
            gateways,
            next: AtomicUsize::new(0),
        })
    }

    /// One attempt, at the next gateway replica that accepts the connection.
    async fn send(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Result<(StatusCode, Value), String> {
        let mut last = String::new();
        for _ in 0..self.gateways.len() {
            let gateway = &self.gateways[self.next.fetch_add(1, Ordering::Relaxed) % self.gateways.len()];
            let mut request = self.client.request(method.clone(), format!("{gateway}{path}"));
            if let Some(body) = body {
                request = request.json(body);
            }
            if let Some(key) = key {
                request = request.header("Idempotency-Key", key);
            }
            match request.send().await {
                Ok(answer) => {
                    let status = answer.status();
                    return match answer.json::<Value>().await {
                        Ok(body) => Ok((status, body)),
                        // A success whose body broke off is no answer: the work may or may
                        // not be done, and the same key asks again.
                        Err(e) if status.is_success() => Err(format!("{status}, body cut: {e}")),
                        Err(_) => Ok((status, Value::Null)),
                    };
                }
                Err(e) if e.is_connect() => last = e.to_string(),
                Err(e) => return Err(e.to_string()),
            }
        }
        Err(last)
    }

    /// Sends until a definitive answer, with the same key and body each time; answers it and
    /// what each earlier attempt got.
    pub async fn until_answered(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> (Outcome, Vec<String>) {
        let started = Instant::now();
        let mut retried = Vec::new();
        let mut pause = Duration::from_millis(50);
        loop {
            let last = match self.send(&method, path, body, key).await {
                Ok((status, body)) if status.is_success() => return (Outcome::Acked(body), retried),
                Ok((status, body)) if status.is_client_error() && !retryable(status, &body) => {
                    let problem = body["type"]
                        .as_str()
                        .unwrap_or_default()
                        .rsplit(':')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    return (
                        Outcome::Refused {
                            status: status.as_u16(),
                            problem,
                        },
                        retried,
                    );
                }
                Ok((status, body)) => format!("{status} {}", body["type"].as_str().unwrap_or_default()),
                Err(error) => error,
            };
            if started.elapsed() > GIVE_UP {
                return (Outcome::Unknown(last), retried);
            }
            retried.push(last);
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
    }

    /// The body of a GET that answers 200 (retried while the answer is not definitive).
    pub async fn get(&self, path: &str) -> Result<Value, String> {
        match self.until_answered(Method::GET, path, None, None).await.0 {
            Outcome::Acked(body) => Ok(body),
            other => Err(format!("GET {path}: {other:?}")),
        }
    }

    /// A read, until it is answered (reads are only load: their answers are not checked).
    async fn read(&self, path: &str) {
        let _ = self.until_answered(Method::GET, path, None, None).await;
    }
}

/// Answers that say "not now" rather than "no".
fn retryable(status: StatusCode, body: &Value) -> bool {
    let kind = body["type"].as_str().unwrap_or_default();
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || (status == StatusCode::CONFLICT && kind.ends_with(":idempotency-key-in-use"))
}

/// A second location, a supplier, the products and their opening stock, before any fault.
/// Answers the supplier's id.
pub async fn prepare(api: &Api) -> anyhow::Result<String> {
    let (location, _) = api
        .until_answered(
            Method::POST,
            "/api/v1/locations",
            Some(&json!({"code": "back", "name": "Back room"})),
            None,
        )
        .await;
    anyhow::ensure!(
        matches!(location, Outcome::Acked(_)),
        "the back room was not created: {location:?}"
    );
    let supplier = match api
        .until_answered(
            Method::POST,
            "/api/v1/suppliers",
            Some(&json!({"name": "Campaign Supply"})),
            None,
        )
        .await
        .0
    {
        Outcome::Acked(answer) => answer["id"].as_str().unwrap_or_default().to_owned(),
        other => anyhow::bail!("the supplier was not created: {other:?}"),
    };
    for i in 0..SKUS {
        let product = json!({
            "sku": sku(i),
            "name": format!("Campaign part {i}"),
            "category": "Storage",
            "brand": "Acme",
            "price_cents": 1_000 + 250 * i as i64,
            "cost_cents": 600 + 150 * i as i64,
        });
        let (created, _) = api
            .until_answered(Method::POST, "/api/v1/products", Some(&product), None)
            .await;
        anyhow::ensure!(
            matches!(created, Outcome::Acked(_)),
            "{} was not created: {created:?}",
            sku(i)
        );
        for (location, quantity) in [("main", 200), ("back", 60)] {
            let body = json!({"quantity": quantity, "location": location, "reference": format!("opening-{i}-{location}")});
            // The inventory learns of the product by event: until then the restock is a 404.
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let key = format!("opening-{i}-{location}");
                match api
                    .until_answered(
                        Method::POST,
                        &format!("/api/v1/inventory/{}/restock", sku(i)),
                        Some(&body),
                        Some(&key),
                    )
                    .await
                    .0
                {
                    Outcome::Acked(_) => break,
                    other if Instant::now() > deadline => {
                        anyhow::bail!("opening stock of {}: {other:?}", sku(i))
                    }
                    _ => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            }
        }
    }
    Ok(supplier)
}

/// What a client remembers of its own acknowledged sales, to void or return one.
struct Sold {
    id: String,
    lines: Vec<(String, i64)>,
    voided: bool,
}

/// One client's operations until `until`, drawn from `seed`. A shift the client has open then
/// is closed, so that every shift ends with its Z report.
pub async fn client(
    api: &Api,
    supplier: &str,
    seed: u64,
    client: usize,
    until: Instant,
) -> (Vec<Record>, usize) {
    let mut rng = StdRng::seed_from_u64(seed ^ (client as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut records = Vec::new();
    let mut sold: Vec<Sold> = Vec::new();
    let mut reads = 0;
    let mut seq = 0;
    let till = format!("till-{client}");
    let mut shift: Option<String> = None;
    while Instant::now() < until {
        seq += 1;
        let key = format!("camp-{client}-{seq}");
        let mut at = LOCATIONS[usize::from(rng.random_bool(0.25))];
        let one = sku(rng.random_range(0..SKUS));
        let pick = rng.random_range(0..100);
        let (kind, method, path, body) = match pick {
            0..45 => {
                let count = rng.random_range(1..=5);
                let mut skus: Vec<usize> = (0..SKUS).collect();
                let lines: Vec<Value> = (0..count)
                    .map(|_| {
                        let i = skus.swap_remove(rng.random_range(0..skus.len()));
                        json!({"sku": sku(i), "quantity": rng.random_range(1..=3)})
                    })
                    .collect();
                let body = match &shift {
                    // Half the sales of a till with an open shift are cash, rung up on it.
                    Some(id) if rng.random_bool(0.5) => {
                        json!({"lines": lines, "payment_method": "cash", "location": "main", "shift_id": id, "note": key})
                    }
                    _ => json!({"lines": lines, "payment_method": "card", "location": at, "note": key}),
                };
                (Kind::Sale, Method::POST, "/api/v1/sales".to_owned(), body)
            }
            45..58 if !sold.is_empty() => {
                let sale = &sold[rng.random_range(0..sold.len())];
                if pick < 50 {
                    let body = json!({"reason": "changed_mind", "note": key});
                    (
                        Kind::Void,
                        Method::POST,
                        format!("/api/v1/sales/{}/void", sale.id),
                        body,
                    )
                } else {
                    let (sku, _) = &sale.lines[rng.random_range(0..sale.lines.len())];
                    let body = json!({
                        "lines": [{"sku": sku, "quantity": 1, "restock": true}],
                        "reason": "changed_mind",
                        "note": key,
                    });
                    (
                        Kind::Return,
                        Method::POST,
                        format!("/api/v1/sales/{}/returns", sale.id),
                        body,
                    )
                }
            }
            58..70 => {
                let body = json!({"quantity": rng.random_range(1..=20), "location": at, "reference": key});
                (
                    Kind::Restock,
                    Method::POST,
                    format!("/api/v1/inventory/{one}/restock"),
                    body,
                )
            }
            70..78 => {
                let delta: i64 = [-2, -1, 1, 2][rng.random_range(0..4)];
                let reason = if delta < 0 { "damaged" } else { "found" };
                let body = json!({"delta": delta, "reason": reason, "location": at, "note": key});
                (
                    Kind::Adjustment,
                    Method::POST,
                    format!("/api/v1/inventory/{one}/adjustments"),
                    body,
                )
            }
            78..83 => {
                let body = json!({"counted": rng.random_range(30..=120), "location": at, "note": key});
                (
                    Kind::Count,
                    Method::POST,
                    format!("/api/v1/inventory/{one}/count"),
                    body,
                )
            }
            83..90 => {
                let to = LOCATIONS.iter().find(|l| **l != at).expect("two locations");
                let body = json!({"from": at, "to": to, "quantity": rng.random_range(1..=5), "note": key});
                (
                    Kind::Transfer,
                    Method::POST,
                    format!("/api/v1/inventory/{one}/transfers"),
                    body,
                )
            }
            90..94 => {
                let quantity = rng.random_range(5..=20);
                let Some(order) = ordered(api, supplier, at, &one, quantity, &key).await else {
                    continue;
                };
                let body =
                    json!({"lines": [{"sku": one, "quantity": quantity}], "reference": key, "note": key});
                (
                    Kind::Receipt,
                    Method::POST,
                    format!("/api/v1/purchase-orders/{order}/receipts"),
                    body,
                )
            }
            97..99 if shift.is_some() => {
                let id = shift.as_deref().unwrap_or_default();
                let kind = if rng.random_bool(0.5) {
                    "paid_in"
                } else {
                    "paid_out"
                };
                let body =
                    json!({"kind": kind, "amount_cents": rng.random_range(100..=1_000), "reason": key});
                (
                    Kind::CashMovement,
                    Method::POST,
                    format!("/api/v1/shifts/{id}/cash-movements"),
                    body,
                )
            }
            94..97 => match &shift {
                None => {
                    at = "main";
                    let body = json!({"till": till, "location": at, "opening_float_cents": 10_000});
                    (Kind::ShiftOpen, Method::POST, "/api/v1/shifts".to_owned(), body)
                }
                Some(id) => {
                    let (kind, path, body) = closing(api, id).await;
                    (kind, Method::POST, path, body)
                }
            },
            _ => {
                let path = if rng.random_bool(0.5) {
                    format!("/api/v1/inventory/{one}")
                } else {
                    format!("/api/v1/products/{one}")
                };
                api.read(&path).await;
                reads += 1;
                continue;
            }
        };
        let request = format!("{method} {path}");
        let (outcome, retried) = api.until_answered(method, &path, Some(&body), Some(&key)).await;
        match (&outcome, kind) {
            (Outcome::Acked(answer), Kind::ShiftOpen) => shift = answer["id"].as_str().map(str::to_owned),
            // Opened by an attempt whose answer was lost: the till's open shift is this one.
            (Outcome::Refused { .. } | Outcome::Unknown(_), Kind::ShiftOpen) => {
                shift = open_shift(api, &till).await
            }
            (Outcome::Acked(_), Kind::ShiftClose) => shift = None,
            _ => {}
        }
        if let Outcome::Acked(answer) = &outcome {
            match kind {
                Kind::Sale => {
                    let lines = answer["lines"]
                        .as_array()
                        .map(|lines| {
                            lines
                                .iter()
                                .map(|l| {
                                    (
                                        l["sku"].as_str().unwrap_or_default().to_owned(),
                                        l["quantity"].as_i64().unwrap_or(0),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if let Some(id) = answer["id"].as_str() {
                        sold.push(Sold {
                            id: id.to_owned(),
                            lines,
                            voided: false,
                        });
                    }
                }
                Kind::Void => {
                    let id = answer["id"].as_str().unwrap_or_default();
                    sold.iter_mut()
                        .filter(|s| s.id == id)
                        .for_each(|s| s.voided = true);
                    sold.retain(|s| !s.voided);
                }
                _ => {}
            }
        }
        records.push(Record {
            kind,
            key,
            request,
            body,
            retried,
            outcome,
        });
    }
    if let Some(id) = shift {
        let (kind, path, body) = closing(api, &id).await;
        let key = format!("camp-{client}-close");
        let (outcome, retried) = api
            .until_answered(Method::POST, &path, Some(&body), Some(&key))
            .await;
        records.push(Record {
            kind,
            key,
            request: format!("POST {path}"),
            body,
            retried,
            outcome,
        });
    }
    (records, reads)
}

/// A purchase order of `quantity` × `sku` for `location`, placed with the supplier; its id, or
/// none when either step did not get through (the receipt is then not tried).
async fn ordered(
    api: &Api,
    supplier: &str,
    location: &str,
    sku: &str,
    quantity: i64,
    key: &str,
) -> Option<String> {
    let order = json!({
        "supplier_id": supplier,
        "location": location,
        "lines": [{"sku": sku, "quantity": quantity, "unit_cost_cents": 500}],
    });
    let created = api
        .until_answered(
            Method::POST,
            "/api/v1/purchase-orders",
            Some(&order),
            Some(&format!("{key}-order")),
        )
        .await
        .0;
    let Outcome::Acked(created) = created else {
        return None;
    };
    let id = created["id"].as_str()?.to_owned();
    let placed = api
        .until_answered(
            Method::POST,
            &format!("/api/v1/purchase-orders/{id}/order"),
            None,
            Some(&format!("{key}-place")),
        )
        .await
        .0;
    matches!(placed, Outcome::Acked(_)).then_some(id)
}

/// Closing shift `id` with the cash counted as the X report expects it.
async fn closing(api: &Api, id: &str) -> (Kind, String, Value) {
    let expected = match api.get(&format!("/api/v1/shifts/{id}/report")).await {
        Ok(report) => report["cash"]["expected_cents"].as_i64().unwrap_or(0),
        Err(_) => 0,
    };
    let body = json!({"counted_cash_cents": expected.max(0), "note": "campaign close"});
    (Kind::ShiftClose, format!("/api/v1/shifts/{id}/close"), body)
}

/// Closes every shift still open (one whose close, or whose opening, stayed unknown to its
/// client), as the end of the day would; answers how many.
pub async fn close_open_shifts(api: &Api) -> Result<usize, String> {
    let list = api.get("/api/v1/shifts?status=open&limit=200").await?;
    let ids: Vec<String> = list["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|s| s["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for id in &ids {
        let (_, path, body) = closing(api, id).await;
        let (outcome, _) = api
            .until_answered(Method::POST, &path, Some(&body), Some(&format!("heal-{id}")))
            .await;
        if !matches!(outcome, Outcome::Acked(_)) {
            return Err(format!("shift {id} could not be closed: {outcome:?}"));
        }
    }
    Ok(ids.len())
}

/// The open shift of `till`, if any.
async fn open_shift(api: &Api, till: &str) -> Option<String> {
    let list = api
        .get(&format!("/api/v1/shifts?till={till}&status=open"))
        .await
        .ok()?;
    list["items"].as_array()?.first()?["id"]
        .as_str()
        .map(str::to_owned)
}
