//! The admin dashboard's server, over HTTP: every screen's address answers the page, the
//! files are served with the right types and a strict content policy, and `/api/...` reaches
//! the gateway with cookies, CSRF and the live stream working through it. The browser tests
//! (`browser.rs`) drive the screens themselves.

use std::time::Duration;

use crate::support::{ADMIN_PASSWORD, Backing, Mode, SseReader, TestApp, product};
use reqwest::{Client, StatusCode, header};
use serde_json::{Value, json};

/// `name=value` pairs of the cookies a response sets, ready for a `Cookie` header.
fn cookies(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ")
}

fn cookie_value(cookies: &str, name: &str) -> String {
    cookies
        .split("; ")
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {cookies}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_screen_and_file_is_served_with_a_strict_content_policy() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let app = TestApp::all(&backing).await;
    let base = app.admin.clone().unwrap();
    let client = Client::new();
    for page in [
        "/",
        "/login",
        "/products",
        "/stock",
        "/stock/SSD-1",
        "/pos",
        "/sales",
        "/sales/abc",
        "/alerts",
        "/users",
        "/account",
    ] {
        let answer = client.get(format!("{base}{page}")).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{page}");
        assert_eq!(answer.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let policy = answer.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            policy.contains("script-src 'self'") && !policy.contains("unsafe"),
            "{policy}"
        );
        assert_eq!(answer.headers()[header::X_FRAME_OPTIONS], "DENY");
        let html = answer.text().await.unwrap();
        assert!(
            html.contains(r#"<script type="module" src="/assets/js/app.js">"#),
            "{html}"
        );
    }
    let script = client
        .get(format!("{base}/assets/js/app.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        script.headers()[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    let etag = script.headers()[header::ETAG].clone();
    let again = client
        .get(format!("{base}/assets/js/app.js"))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let missing = client
        .get(format!("{base}/assets/js/nothing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let health = client.get(format!("{base}/health/ready")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    // A port for browsers exports no metrics; the service ports do.
    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::NOT_FOUND);
    let gateway = app.gateway.clone().unwrap();
    let metrics = client.get(format!("{gateway}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    // Dot segments would leave /api on the gateway (HTTP clients resolve them before
    // sending, so the request is written by hand).
    for path in ["/api/../metrics", "/api/%2e%2e/health/ready"] {
        let answer = raw_get(&base, path).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{path}: {answer}");
        assert!(answer.contains("bad-path"), "{path}: {answer}");
    }
    app.stop().await;
}

/// `GET path` written on a plain TCP connection, exactly as given; the whole answer.
async fn raw_get(base: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

/// The browser's way in: a cookie session through the dashboard's origin, CSRF on writes,
/// and the live stream passed through as it happens.
async fn the_api_works_through_the_dashboard_with_a_cookie_session(app: TestApp, _: Backing) {
    let base = app.admin.clone().unwrap();
    let client = Client::new();
    let anonymous = client
        .get(format!("{base}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let jar = cookies(&login);
    let csrf = cookie_value(&jar, "it_csrf");
    let me: Value = client
        .get(format!("{base}/api/v1/auth/me"))
        .header(header::COOKIE, &jar)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"]["username"], "admin");
    assert_eq!(me["credential"], "session");
    let forged = client
        .post(format!("{base}/api/v1/products"))
        .header(header::COOKIE, &jar)
        .json(&product("UI-1", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let mut stream = SseReader::open_with(&client, &base, &[("cookie", jar.as_str())]).await;
    let created = client
        .post(format!("{base}/api/v1/products"))
        .header(header::COOKIE, &jar)
        .header("x-csrf-token", &csrf)
        .json(&product("UI-1", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let mut heard = None;
    while let Some(event) = stream.next(Duration::from_secs(10)).await {
        if event.event == "ProductCreated" {
            heard = Some(event);
            break;
        }
    }
    let heard = heard.expect("the product's event arrives through the dashboard");
    assert_eq!(heard.data["data"]["product"]["sku"], "UI-1");
    app.stop().await;
}

modes!(the_api_works_through_the_dashboard_with_a_cookie_session);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gateway_that_is_down_gets_a_clear_answer_not_a_hang() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    let (closed, _held) = testkit::refused_port();
    settings.gateway_url = Some(format!("http://127.0.0.1:{closed}"));
    let app = TestApp::start(settings, &[inventory_tracker::Target::Admin]).await;
    let base = app.admin.clone().unwrap();
    let answer = Client::new()
        .get(format!("{base}/api/v1/products"))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_GATEWAY);
    let problem: Value = answer.json().await.unwrap();
    assert_eq!(
        problem["type"],
        "urn:inventory-tracker:problem:gateway-unavailable"
    );
    let page = Client::new().get(format!("{base}/pos")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "the pages themselves still load");
    let ready = Client::new()
        .get(format!("{base}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    app.stop().await;
}
