//! The gateway as the one secure entry point: the role matrix over every documented route,
//! sessions and CSRF, API tokens, lockout, rate limits, direct calls to service ports, and the
//! live event stream.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::support::{
    ADMIN_PASSWORD, Backing, Mode, SseReader, TestApp, client_with_token, login, ok_json, product,
};
use reqwest::{Client, Method, StatusCode, header};
use serde_json::{Value, json};

modes!(
    every_route_refuses_strangers_and_roles_below_its_own,
    clerks_and_viewers_are_never_sent_costs,
    a_revoked_api_token_stops_working_at_once,
    api_tokens_never_manage_credentials,
    wrong_current_passwords_count_toward_the_login_lockout,
    an_admin_changes_their_own_password_only_with_the_current_one,
    disabling_a_user_revokes_their_api_tokens_for_good,
    cookie_sessions_need_the_csrf_token_to_change_anything,
    repeated_failed_logins_lock_the_username_without_revealing_it,
    disabling_a_user_ends_their_access_and_acted_users_are_kept,
    the_event_stream_shows_a_sale_at_once_and_resumes_without_loss,
);

const WAIT: Duration = Duration::from_secs(20);

/// Who may do what, route by route: the product's role matrix written out by hand, so that
/// a change to the policy or a new route without a rule fails here. The last column marks
/// routes that manage credentials, which need a login session (never an API token).
const MATRIX: &[(&str, &str, Option<&str>, bool)] = &[
    ("POST", "/api/v1/auth/login", None, false),
    ("POST", "/api/v1/auth/logout", Some("viewer"), false),
    ("GET", "/api/v1/auth/me", Some("viewer"), false),
    ("POST", "/api/v1/auth/password", Some("viewer"), true),
    ("GET", "/api/v1/auth/tokens", Some("viewer"), true),
    ("POST", "/api/v1/auth/tokens", Some("viewer"), true),
    ("DELETE", "/api/v1/auth/tokens/{id}", Some("viewer"), true),
    ("GET", "/api/v1/users", Some("admin"), true),
    ("POST", "/api/v1/users", Some("admin"), true),
    ("GET", "/api/v1/users/{id}", Some("admin"), true),
    ("PATCH", "/api/v1/users/{id}", Some("admin"), true),
    ("DELETE", "/api/v1/users/{id}", Some("admin"), true),
    ("POST", "/api/v1/users/{id}/password", Some("admin"), true),
    ("GET", "/api/v1/events/stream", Some("viewer"), false),
    ("GET", "/api/v1/products", Some("viewer"), false),
    ("POST", "/api/v1/products", Some("manager"), false),
    ("GET", "/api/v1/products/export.csv", Some("viewer"), false),
    ("GET", "/api/v1/sales/export.csv", Some("viewer"), false),
    ("GET", "/api/v1/reports/sales", Some("viewer"), false),
    ("GET", "/api/v1/reports/tax", Some("viewer"), false),
    ("GET", "/api/v1/reports/shifts", Some("viewer"), false),
    ("GET", "/api/v1/reports/stock", Some("viewer"), false),
    ("GET", "/api/v1/customers/export.csv", Some("clerk"), false),
    ("POST", "/api/v1/imports/products", Some("manager"), false),
    ("GET", "/api/v1/inventory/export.csv", Some("viewer"), false),
    ("GET", "/api/v1/movements/export.csv", Some("viewer"), false),
    ("GET", "/api/v1/purchase-orders/export.csv", Some("viewer"), false),
    (
        "GET",
        "/api/v1/purchase-orders/{id}/export.csv",
        Some("viewer"),
        false,
    ),
    ("GET", "/api/v1/products/{sku}", Some("viewer"), false),
    ("PATCH", "/api/v1/products/{sku}", Some("manager"), false),
    ("PUT", "/api/v1/products/{sku}", Some("manager"), false),
    ("DELETE", "/api/v1/products/{sku}", Some("manager"), false),
    ("GET", "/api/v1/categories", Some("viewer"), false),
    ("GET", "/api/v1/settings/shop", Some("viewer"), false),
    ("PUT", "/api/v1/settings/shop", Some("admin"), false),
    ("GET", "/api/v1/tax-rates", Some("viewer"), false),
    ("POST", "/api/v1/tax-rates", Some("admin"), false),
    ("PATCH", "/api/v1/tax-rates/{code}", Some("admin"), false),
    ("GET", "/api/v1/inventory", Some("viewer"), false),
    ("GET", "/api/v1/inventory/{sku}", Some("viewer"), false),
    ("GET", "/api/v1/inventory/{sku}/movements", Some("viewer"), false),
    ("POST", "/api/v1/inventory/{sku}/restock", Some("manager"), false),
    (
        "POST",
        "/api/v1/inventory/{sku}/adjustments",
        Some("manager"),
        false,
    ),
    ("POST", "/api/v1/inventory/{sku}/count", Some("manager"), false),
    (
        "POST",
        "/api/v1/inventory/{sku}/transfers",
        Some("manager"),
        false,
    ),
    ("PUT", "/api/v1/inventory/{sku}/settings", Some("manager"), false),
    ("GET", "/api/v1/alerts", Some("viewer"), false),
    ("GET", "/api/v1/stock-value", Some("viewer"), false),
    ("GET", "/api/v1/locations", Some("viewer"), false),
    ("POST", "/api/v1/locations", Some("manager"), false),
    ("PATCH", "/api/v1/locations/{code}", Some("manager"), false),
    ("GET", "/api/v1/sales", Some("viewer"), false),
    ("POST", "/api/v1/sales", Some("clerk"), false),
    ("GET", "/api/v1/sales/summary", Some("viewer"), false),
    ("GET", "/api/v1/sales/{id}", Some("viewer"), false),
    ("POST", "/api/v1/sales/{id}/void", Some("clerk"), false),
    ("POST", "/api/v1/sales/{id}/returns", Some("clerk"), false),
    ("GET", "/api/v1/customers", Some("clerk"), false),
    ("POST", "/api/v1/customers", Some("clerk"), false),
    ("GET", "/api/v1/customers/{id}", Some("clerk"), false),
    ("PATCH", "/api/v1/customers/{id}", Some("clerk"), false),
    ("DELETE", "/api/v1/customers/{id}", Some("manager"), false),
    ("GET", "/api/v1/customers/{id}/sales", Some("clerk"), false),
    ("GET", "/api/v1/reorder-suggestions", Some("viewer"), false),
    (
        "POST",
        "/api/v1/reorder-suggestions/thresholds",
        Some("manager"),
        false,
    ),
    ("GET", "/api/v1/suppliers", Some("viewer"), false),
    ("POST", "/api/v1/suppliers", Some("manager"), false),
    ("GET", "/api/v1/suppliers/{id}", Some("viewer"), false),
    ("PATCH", "/api/v1/suppliers/{id}", Some("manager"), false),
    ("DELETE", "/api/v1/suppliers/{id}", Some("manager"), false),
    ("GET", "/api/v1/inventory/{sku}/suppliers", Some("viewer"), false),
    ("PUT", "/api/v1/inventory/{sku}/suppliers", Some("manager"), false),
    ("GET", "/api/v1/inventory/{sku}/costs", Some("viewer"), false),
    ("GET", "/api/v1/inventory/{sku}/serials", Some("viewer"), false),
    ("GET", "/api/v1/serials/{serial}", Some("viewer"), false),
    ("GET", "/api/v1/rmas", Some("viewer"), false),
    ("POST", "/api/v1/rmas", Some("clerk"), false),
    ("GET", "/api/v1/rmas/{id}", Some("viewer"), false),
    ("POST", "/api/v1/rmas/{id}/steps", Some("manager"), false),
    ("POST", "/api/v1/rmas/{id}/notes", Some("clerk"), false),
    ("GET", "/api/v1/purchase-orders", Some("viewer"), false),
    ("POST", "/api/v1/purchase-orders", Some("manager"), false),
    ("GET", "/api/v1/purchase-orders/{id}", Some("viewer"), false),
    ("PATCH", "/api/v1/purchase-orders/{id}", Some("manager"), false),
    (
        "POST",
        "/api/v1/purchase-orders/{id}/order",
        Some("manager"),
        false,
    ),
    (
        "POST",
        "/api/v1/purchase-orders/{id}/cancel",
        Some("manager"),
        false,
    ),
    (
        "POST",
        "/api/v1/purchase-orders/{id}/receipts",
        Some("manager"),
        false,
    ),
    (
        "POST",
        "/api/v1/reorder-suggestions/purchase-orders",
        Some("manager"),
        false,
    ),
    ("GET", "/api/v1/shifts", Some("viewer"), false),
    ("POST", "/api/v1/shifts", Some("clerk"), false),
    ("GET", "/api/v1/shifts/{id}", Some("viewer"), false),
    ("POST", "/api/v1/shifts/{id}/cash-movements", Some("clerk"), false),
    ("GET", "/api/v1/shifts/{id}/report", Some("viewer"), false),
    ("POST", "/api/v1/shifts/{id}/close", Some("clerk"), false),
];

const ROLES: [&str; 4] = ["viewer", "clerk", "manager", "admin"];

fn rank(role: &str) -> usize {
    ROLES.iter().position(|r| *r == role).expect("a known role")
}

fn concrete(path: &str) -> String {
    path.replace("{sku}", "MATRIX-1")
        .replace("{barcode}", "4006381333931")
        .replace("{location}", "main")
        .replace("{code}", "main")
        .replace("{id}", "999999")
}

async fn every_route_refuses_strangers_and_roles_below_its_own(app: TestApp, _: Backing) {
    // The matrix names every route the API documents, and nothing else.
    let doc = ok_json(app.get("/api/openapi.json").await).await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(
        documented.difference(&listed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "documented routes missing from the matrix"
    );
    assert_eq!(
        listed.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "matrix routes the API does not document"
    );
    // Every documented operation declares the bearer or cookie scheme (login: none).
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["securitySchemes"]["cookie"].is_object());

    app.create(&product("MATRIX-1", json!({}))).await;
    let base = app.gateway.clone().unwrap();
    let mut clients = Vec::new();
    for role in ROLES {
        let client = if role == "admin" {
            app.client.clone()
        } else {
            app.user_client(&format!("matrix-{role}"), role).await.0
        };
        clients.push((role, client));
    }
    let stranger = Client::new();
    // An admin's API token may do whatever admins may, except manage credentials.
    let admin_token = app
        .post_json("/api/v1/auth/tokens", &json!({"name": "matrix", "role": "admin"}))
        .await;
    assert_eq!(admin_token.status(), StatusCode::CREATED);
    let admin_token: Value = admin_token.json().await.unwrap();
    let integration = client_with_token(admin_token["token"].as_str().unwrap());
    for (method, path, needed, session_only) in MATRIX {
        if *path == "/api/v1/auth/logout" {
            continue; // Ends the session: checked last.
        }
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let url = format!("{base}{}", concrete(path));
        let send = |client: &Client| {
            let request = client.request(method.clone(), &url);
            if method == Method::GET {
                request
            } else {
                request.json(&json!({}))
            }
        };
        let anonymous = send(&stranger).send().await.unwrap();
        match needed {
            None => assert_ne!(anonymous.status(), StatusCode::UNAUTHORIZED, "{method} {path}"),
            Some(_) => {
                assert_eq!(
                    anonymous.status(),
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} without credentials"
                );
                assert!(anonymous.headers().contains_key(header::WWW_AUTHENTICATE));
            }
        }
        let Some(needed) = needed else { continue };
        let by_token = send(&integration).send().await.unwrap();
        if *session_only {
            assert_eq!(
                by_token.status(),
                StatusCode::FORBIDDEN,
                "{method} {path} by an API token"
            );
            let problem: Value = by_token.json().await.unwrap();
            assert_eq!(problem["type"], "urn:inventory-tracker:problem:session-required");
        } else {
            let status = by_token.status();
            assert!(
                status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                "an admin's API token may {method} {path}, got {status}"
            );
        }
        for (role, client) in &clients {
            let answer = send(client).send().await.unwrap();
            let status = answer.status();
            if rank(role) >= rank(needed) {
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{role} may {method} {path}, got {status}: {}",
                    answer.text().await.unwrap()
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} may not {method} {path}");
                let problem: Value = answer.json().await.unwrap();
                assert_eq!(problem["type"], "urn:inventory-tracker:problem:forbidden");
                assert_eq!(problem["required_role"], *needed);
            }
        }
    }
    for (role, client) in &clients {
        let out = client
            .post(format!("{base}/api/v1/auth/logout"))
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), StatusCode::NO_CONTENT, "{role} logs out");
        let after = client.get(format!("{base}/api/v1/auth/me")).send().await.unwrap();
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "{role}'s session ended");
    }
}

async fn a_revoked_api_token_stops_working_at_once(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    let (clerk, _) = app.user_client("tokenclerk", "clerk").await;
    // A token may not have more than its creator's role.
    let refused = clerk
        .post(format!("{base}/api/v1/auth/tokens"))
        .json(&json!({"name": "too strong", "role": "manager"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let created = clerk
        .post(format!("{base}/api/v1/auth/tokens"))
        .json(&json!({"name": "till export", "role": "viewer", "expires_in_days": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("itk_"));
    let integration = client_with_token(token);
    let me = ok_json(
        integration
            .get(format!("{base}/api/v1/auth/me"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(me["role"], "viewer", "the token's role caps its owner's");
    assert_eq!(me["credential"], "api");
    let sale = integration
        .post(format!("{base}/api/v1/sales"))
        .json(&json!({"lines": [], "payment_method": "cash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sale.status(), StatusCode::FORBIDDEN, "a viewer token cannot sell");

    // Listed without its secret.
    let listed = ok_json(
        clerk
            .get(format!("{base}/api/v1/auth/tokens"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(listed[0].get("token").is_none());
    assert_eq!(listed[0]["owner"], "tokenclerk");

    let id = created["id"].as_str().unwrap();
    let revoked = clerk
        .delete(format!("{base}/api/v1/auth/tokens/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    let after = integration
        .get(format!("{base}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "revoked at once");
    let problem: Value = after.json().await.unwrap();
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:invalid-token");
    app.stop().await;
}

/// An API token reads and changes the shop's data, but never passwords, tokens or users:
/// a leaked token, whatever its role, cannot take over its owner's account or mint tokens
/// that outlive it.
async fn api_tokens_never_manage_credentials(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    let mut integrations = Vec::new();
    for role in ["viewer", "admin"] {
        let created = app
            .post_json(
                "/api/v1/auth/tokens",
                &json!({"name": format!("{role} export"), "role": role}),
            )
            .await;
        assert_eq!(created.status(), StatusCode::CREATED);
        let created: Value = created.json().await.unwrap();
        integrations.push(client_with_token(created["token"].as_str().unwrap()));
    }
    let me = ok_json(app.get("/api/v1/auth/me").await).await;
    let my_id = me["user"]["id"].as_i64().unwrap();
    for integration in &integrations {
        let attempts = [
            (
                Method::POST,
                "/api/v1/auth/password".to_owned(),
                json!({"current_password": ADMIN_PASSWORD, "new_password": "taken over by a token"}),
            ),
            (
                Method::POST,
                "/api/v1/auth/tokens".to_owned(),
                json!({"name": "child", "role": "viewer"}),
            ),
            (Method::GET, "/api/v1/auth/tokens".to_owned(), json!(null)),
            (Method::GET, "/api/v1/users".to_owned(), json!(null)),
            (
                Method::POST,
                "/api/v1/users".to_owned(),
                json!({"username": "planted", "role": "admin", "password": "planted by a token 1"}),
            ),
            (
                Method::POST,
                format!("/api/v1/users/{my_id}/password"),
                json!({"password": "taken over by a token"}),
            ),
        ];
        for (method, path, body) in attempts {
            let mut request = integration.request(method.clone(), format!("{base}{path}"));
            if !body.is_null() {
                request = request.json(&body);
            }
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{method} {path}");
            let problem: Value = answer.json().await.unwrap();
            assert_eq!(
                problem["type"], "urn:inventory-tracker:problem:session-required",
                "{method} {path}"
            );
        }
        // Reading the shop's data still works.
        ok_json(
            integration
                .get(format!("{base}/api/v1/products"))
                .send()
                .await
                .unwrap(),
        )
        .await;
    }
    // Nothing changed: the password still logs in, the session still works, no user was
    // planted and no token was minted.
    login(&base, "admin", ADMIN_PASSWORD).await;
    ok_json(app.get("/api/v1/auth/me").await).await;
    let users = ok_json(app.get("/api/v1/users").await).await;
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["username"] != "planted")
    );
    let tokens = ok_json(app.get("/api/v1/auth/tokens").await).await;
    assert_eq!(tokens.as_array().unwrap().len(), 2);
    app.stop().await;
}

/// Guessing the current password through `/auth/password` is as limited as guessing at
/// login: the failures lock the user, and the lock holds for login too.
async fn wrong_current_passwords_count_toward_the_login_lockout(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    let (clerk, _) = app.user_client("guesser", "clerk").await;
    let before = failures_counted(&app, "password_change").await;
    let change = |current: &'static str| {
        let request = clerk
            .post(format!("{base}/api/v1/auth/password"))
            .json(&json!({"current_password": current, "new_password": "a brand new passphrase"}));
        async move { request.send().await.unwrap() }
    };
    for _ in 0..5 {
        let answer = change("not my password at all").await;
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Locked now: even the right current password is refused, and so is a login.
    let locked = change("long walks on the beach 7").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key(header::RETRY_AFTER));
    let problem: Value = locked.json().await.unwrap();
    assert_eq!(problem["type"], "urn:inventory-tracker:problem:login-locked");
    let login = crate::support::try_login(&base, "guesser", "long walks on the beach 7").await;
    assert_eq!(login.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(failures_counted(&app, "password_change").await >= before + 5.0);
    app.stop().await;
}

/// `auth_login_failures_total{attempt=…}` as the gateway's `/metrics` says now.
async fn failures_counted(app: &TestApp, attempt: &str) -> f64 {
    let text = crate::support::metrics(&Client::new(), app.gateway.as_deref().unwrap()).await;
    let series = format!("auth_login_failures_total{{attempt=\"{attempt}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(series.as_str()))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in:\n{text}"))
}

/// The admin reset (`/users/{id}/password`) is for other users; an admin's own password
/// changes only with the current one.
async fn an_admin_changes_their_own_password_only_with_the_current_one(app: TestApp, _: Backing) {
    let me = ok_json(app.get("/api/v1/auth/me").await).await;
    let my_id = me["user"]["id"].as_i64().unwrap();
    let refused = app
        .post_json(
            &format!("/api/v1/users/{my_id}/password"),
            &json!({"password": "reset without the old one"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // The session lives on and the password is unchanged.
    ok_json(app.get("/api/v1/auth/me").await).await;
    login(app.gateway.as_deref().unwrap(), "admin", ADMIN_PASSWORD).await;
    // Another user's password can still be reset.
    let (_, clerk) = app.user_client("forgetful", "clerk").await;
    let reset = app
        .post_json(
            &format!("/api/v1/users/{}/password", clerk["id"]),
            &json!({"password": "handed over at the desk 9"}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    app.stop().await;
}

/// A disabled user's API tokens are revoked, and stay revoked when the user is enabled.
async fn disabling_a_user_revokes_their_api_tokens_for_good(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    let (clerk, user) = app.user_client("leaver", "clerk").await;
    let created = clerk
        .post(format!("{base}/api/v1/auth/tokens"))
        .json(&json!({"name": "till sync"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let integration = client_with_token(created["token"].as_str().unwrap());
    ok_json(
        integration
            .get(format!("{base}/api/v1/products"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let path = format!("/api/v1/users/{}", user["id"]);
    for disabled in [true, false] {
        let answer = app
            .request(Method::PATCH, &path)
            .json(&json!({"disabled": disabled}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        let after = integration
            .get(format!("{base}/api/v1/products"))
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED, "disabled: {disabled}");
    }
    let tokens = ok_json(app.get("/api/v1/auth/tokens?all=true").await).await;
    let token = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == created["id"])
        .unwrap();
    assert!(token["revoked_at"].is_string(), "{token}");
    // The user can work again, with a new login.
    login(&base, "leaver", "long walks on the beach 7").await;
    app.stop().await;
}

/// A session expires; an expired one is refused like a revoked one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expired_session_is_refused() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.session_ttl_secs = 1;
    let app = TestApp::all_with(settings).await;
    let base = app.gateway.clone().unwrap();
    let session = login(&base, "admin", ADMIN_PASSWORD).await;
    let client = client_with_token(session["token"].as_str().unwrap());
    ok_json(client.get(format!("{base}/api/v1/auth/me")).send().await.unwrap()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let expired = client.get(format!("{base}/api/v1/auth/me")).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn cookie_sessions_need_the_csrf_token_to_change_anything(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    let answer = crate::support::try_login(&base, "admin", ADMIN_PASSWORD).await;
    let cookies: Vec<String> = answer
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session_cookie = cookies
        .iter()
        .find(|c| c.starts_with("it_session="))
        .expect("session cookie");
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Strict"));
    let csrf_cookie = cookies
        .iter()
        .find(|c| c.starts_with("it_csrf="))
        .expect("CSRF cookie");
    assert!(!csrf_cookie.contains("HttpOnly"), "the page must read it");
    let body: Value = answer.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    let cookie_header = cookies
        .iter()
        .map(|c| c.split(';').next().unwrap())
        .collect::<Vec<_>>()
        .join("; ");
    let browser = Client::new();
    let read = browser
        .get(format!("{base}/api/v1/products"))
        .header(header::COOKIE, &cookie_header)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK, "reading needs no CSRF token");
    for token in [None, Some("forged")] {
        let mut request = browser
            .post(format!("{base}/api/v1/products"))
            .header(header::COOKIE, &cookie_header)
            .json(&product("CSRF-1", json!({})));
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        let refused = request.send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let problem: Value = refused.json().await.unwrap();
        assert_eq!(
            problem["type"],
            "urn:inventory-tracker:problem:csrf-token-invalid"
        );
    }
    assert_eq!(
        app.get("/api/v1/products/CSRF-1").await.status(),
        StatusCode::NOT_FOUND,
        "nothing was created"
    );
    let created = browser
        .post(format!("{base}/api/v1/products"))
        .header(header::COOKIE, &cookie_header)
        .header("x-csrf-token", &csrf)
        .json(&product("CSRF-1", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    app.stop().await;
}

/// With the default policy: five failures per username, then a lock.
async fn repeated_failed_logins_lock_the_username_without_revealing_it(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    let attempt = |username: &'static str, password: &'static str| {
        let base = base.clone();
        async move {
            let answer = crate::support::try_login(&base, username, password).await;
            let retry_after = answer.headers().get(header::RETRY_AFTER).cloned();
            let status = answer.status();
            let body: Value = answer.json().await.unwrap();
            (status, body, retry_after)
        }
    };
    let mut answers = Vec::new();
    for username in ["admin", "nobody-here"] {
        let mut bodies = Vec::new();
        for _ in 0..5 {
            let (status, body, _) = attempt(username, "wrong guess number 1").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            bodies.push(body);
        }
        let (status, locked, retry_after) = attempt(username, "wrong guess number 1").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{username}: {locked}");
        assert!(retry_after.is_some());
        answers.push((bodies, locked));
    }
    // An existing and a made-up username get the same answers.
    assert_eq!(answers[0].0, answers[1].0);
    assert_eq!(answers[0].1["type"], answers[1].1["type"]);
    // Locked means locked: even the right password is refused for now.
    let (status, _, _) = attempt("admin", ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

/// Too many failures from one address lock that address out, whatever username it tries.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_from_one_address_lock_the_address() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.login_address_max_failures = 4;
    let app = TestApp::all_with(settings).await;
    let base = app.gateway.clone().unwrap();
    for n in 0..4 {
        let answer = crate::support::try_login(&base, &format!("guess{n}"), "not the password").await;
        assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    }
    let answer = crate::support::try_login(&base, "admin", ADMIN_PASSWORD).await;
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

/// Wrong current passwords count against the client's address too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_current_passwords_lock_the_address() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.login_address_max_failures = 3;
    let app = TestApp::all_with(settings).await;
    let base = app.gateway.clone().unwrap();
    let (clerk, _) = app.user_client("guesser", "clerk").await;
    for _ in 0..3 {
        let answer = clerk
            .post(format!("{base}/api/v1/auth/password"))
            .json(&json!({"current_password": "not my password", "new_password": "a brand new passphrase"}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let answer = crate::support::try_login(&base, "admin", ADMIN_PASSWORD).await;
    assert_eq!(answer.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

/// Behind the admin dashboard every browser shares the dashboard's address; the dashboard
/// names the browser and vouches for it with a signed credential. A made-up
/// `X-Forwarded-For` without it is ignored, so it cannot dodge an address lockout.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn only_the_dashboard_can_name_the_client_address() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.login_address_max_failures = 3;
    let app = TestApp::all_with(settings).await;
    let base = app.gateway.clone().unwrap();
    let signer = web::Signer::new(crate::support::TEST_SECRET).unwrap();
    let login = |forwarded_for: &'static str, vouched: bool, password: &'static str| {
        let mut request = Client::new()
            .post(format!("{base}/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({"username": "admin", "password": password}));
        if vouched {
            let client = forwarded_for.parse().unwrap();
            request = request.header(
                web::forwarding::PROXY_CREDENTIAL,
                signer.vouch_for_client("admin", client),
            );
        }
        async move { request.send().await.unwrap().status() }
    };
    // A browser behind the dashboard fails three times: that browser is locked out...
    for _ in 0..3 {
        assert_eq!(
            login("198.51.100.7", true, "wrong").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login("198.51.100.7", true, ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // ...while another browser behind the same dashboard still gets in.
    assert_eq!(login("198.51.100.8", true, ADMIN_PASSWORD).await, StatusCode::OK);
    // Unvouched, a different made-up address each time still counts against the peer.
    for n in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        assert_eq!(login(n, false, "wrong").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        login("203.0.113.4", false, ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A service identity is no proxy credential, and the credential is no identity.
    let service = signer.sign(&web::Identity::service("admin"));
    let as_proxy = Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .header("x-forwarded-for", "198.51.100.9")
        .header(web::forwarding::PROXY_CREDENTIAL, service)
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        as_proxy.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "counted against the peer"
    );
    let catalog = app.catalog.clone().unwrap();
    let vouched = signer.vouch_for_client("admin", "198.51.100.8".parse().unwrap());
    let as_identity = Client::new()
        .get(format!("{catalog}/api/v1/products"))
        .bearer_auth(vouched)
        .send()
        .await
        .unwrap();
    assert_eq!(as_identity.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn disabling_a_user_ends_their_access_and_acted_users_are_kept(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    let (manager, created) = app.user_client("shopmanager", "manager").await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["role"], "manager");
    let taken = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "ShopManager", "role": "viewer", "password": "another long secret phrase"}),
        )
        .await;
    assert_eq!(
        taken.status(),
        StatusCode::CONFLICT,
        "usernames are case-insensitive"
    );
    assert!(created.get("password_hash").is_none());
    // The manager changes something: from now on they are named in the records.
    let made = manager
        .post(format!("{base}/api/v1/products"))
        .json(&product("ACT-1", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    let disabled = app
        .patch_json(&format!("/api/v1/users/{id}"), &json!({"disabled": true}), None)
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    let refused = manager
        .get(format!("{base}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "a disabled user's session stops at once"
    );
    let relogin = crate::support::try_login(&base, "shopmanager", "long walks on the beach 7").await;
    assert_eq!(relogin.status(), StatusCode::UNAUTHORIZED);
    // Deleting one who acted keeps them, disabled.
    let kept = app
        .request(Method::DELETE, &format!("/api/v1/users/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), StatusCode::OK);
    let kept: Value = kept.json().await.unwrap();
    assert_eq!(kept["disabled"], true);
    // One who never acted is deleted.
    let (_, idle) = app.user_client("idleviewer", "viewer").await;
    let idle_id = idle["id"].as_i64().unwrap();
    let gone = app
        .request(Method::DELETE, &format!("/api/v1/users/{idle_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let users = ok_json(app.get("/api/v1/users").await).await;
    let names: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["admin", "shopmanager"]);
    // An admin cannot demote themselves.
    let me = ok_json(app.get("/api/v1/auth/me").await).await;
    let own = app
        .patch_json(
            &format!("/api/v1/users/{}", me["user"]["id"]),
            &json!({"role": "clerk"}),
            None,
        )
        .await;
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    // A new user must change the first password before anything else.
    let fresh = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "newclerk", "role": "clerk", "password": "first day at work"}),
        )
        .await;
    assert_eq!(fresh.status(), StatusCode::CREATED);
    let session = login(&base, "newclerk", "first day at work").await;
    assert_eq!(session["user"]["must_change_password"], true);
    let newcomer = client_with_token(session["token"].as_str().unwrap());
    let blocked = newcomer
        .get(format!("{base}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), StatusCode::FORBIDDEN);
    let weak = newcomer
        .post(format!("{base}/api/v1/auth/password"))
        .json(&json!({"current_password": "first day at work", "new_password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = weak.json().await.unwrap();
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("at least 12"),
        "{problem}"
    );
    let changed = newcomer
        .post(format!("{base}/api/v1/auth/password"))
        .json(&json!({"current_password": "first day at work", "new_password": "second day is better"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let allowed = newcomer
        .get(format!("{base}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    app.stop().await;
}

async fn the_event_stream_shows_a_sale_at_once_and_resumes_without_loss(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    app.create(&product(
        "LIVE-1",
        json!({"price_cents": 1000, "cost_cents": 500}),
    ))
    .await;
    testkit::eventually("the inventory learns of the product", WAIT, || async {
        app.post_json("/api/v1/inventory/LIVE-1/restock", &json!({"quantity": 10}))
            .await
            .status()
            == StatusCode::CREATED
    })
    .await;
    let (viewer, _) = app.user_client("wallscreen", "viewer").await;
    let mut stream = SseReader::open(&viewer, &base, None).await;
    let sell = || async {
        let sold = app
            .post_json(
                "/api/v1/sales",
                &json!({"lines": [{"sku": "LIVE-1", "quantity": 1}], "payment_method": "cash"}),
            )
            .await;
        assert_eq!(sold.status(), StatusCode::CREATED);
    };
    sell().await;
    let sold_at = Instant::now();
    let (change, before) = stream
        .stock_change("LIVE-1", 9, Duration::from_secs(5))
        .await
        .expect("the sale's stock change arrives");
    let took = sold_at.elapsed();
    assert!(took < Duration::from_secs(1), "the stock change took {took:?}");
    // The sale itself is on the stream too. It is published by the sales service's relay and
    // its stock change by the inventory's; which reaches the stream first is not asserted
    // (under the full suite's load the sale once came second, cause not found).
    if !before.iter().any(|e| e.event == "SaleCreated") {
        let mut seen = Vec::new();
        let mut found = false;
        while let Some(event) = stream.next(Duration::from_secs(5)).await {
            if event.event == "SaleCreated" {
                found = true;
                break;
            }
            seen.push(event.event);
        }
        assert!(found, "the sale never came: {before:?} then {seen:?}");
    }
    assert_eq!(change.data["type"], "StockLevelsChanged");
    let last_id = change.id.clone().expect("events have ids");
    drop(stream);

    // Two sales while the client is away: it gets both when it comes back.
    sell().await;
    sell().await;
    testkit::eventually("both sales reach the inventory", WAIT, || async {
        ok_json(app.get("/api/v1/inventory/LIVE-1").await).await["totals"]["on_hand"] == 7
    })
    .await;
    let mut resumed = SseReader::open(&viewer, &base, Some(&last_id)).await;
    let (_, replayed) = resumed
        .stock_change("LIVE-1", 7, Duration::from_secs(5))
        .await
        .expect("the missed events are replayed");
    assert!(
        replayed.iter().all(|e| e.event != "resync"),
        "no loss: {replayed:?}"
    );
    assert!(
        replayed
            .iter()
            .any(|e| e.event == "StockLevelsChanged" && e.data["data"]["levels"][0]["on_hand"] == 8),
        "the first missed change is there too: {replayed:?}"
    );
    // An id from another run of the gateway cannot be resumed: the client is told to reload.
    let mut stale = SseReader::open(&viewer, &base, Some("0-1")).await;
    let first = stale.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(first.event, "resync");
    app.stop().await;
}

/// Service ports answer only requests carrying the installation's signed identity.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn service_ports_refuse_direct_calls_and_metrics_can_be_protected() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.metrics_token = Some("scrape-me-please".to_owned().into());
    let app = TestApp::all_with(settings).await;
    let catalog = app.catalog.clone().unwrap();
    let stranger = Client::new();
    let direct = stranger
        .get(format!("{catalog}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(direct.status(), StatusCode::UNAUTHORIZED);
    let user_token = app
        .client
        .get(format!("{catalog}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        user_token.status(),
        StatusCode::UNAUTHORIZED,
        "a user token is not a service credential"
    );
    let service = crate::support::service_client()
        .get(format!("{catalog}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(service.status(), StatusCode::OK);
    let health = stranger.get(format!("{catalog}/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "health stays open");
    let metrics = stranger.get(format!("{catalog}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::UNAUTHORIZED);
    let metrics = client_with_token("scrape-me-please")
        .get(format!("{catalog}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    // The gateway adds its safety headers and echoes request ids.
    let answer = app
        .request(Method::GET, "/api/v1/products")
        .header("x-request-id", "till-7-req-1")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-request-id"], "till-7-req-1");
    assert_eq!(answer.headers()["x-content-type-options"], "nosniff");
    assert_eq!(answer.headers()["x-frame-options"], "DENY");
    app.stop().await;
}

/// Waits, if needed, so that the next few seconds stay inside one rate-limit window.
async fn away_from_a_window_edge() {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if secs % 60 > 45 {
        tokio::time::sleep(Duration::from_secs(61 - secs % 60)).await;
    }
}

async fn me_statuses(client: &Client, base: &str, times: usize) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for _ in 0..times {
        let answer = client.get(format!("{base}/api/v1/auth/me")).send().await.unwrap();
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(answer.headers().contains_key(header::RETRY_AFTER));
        }
        statuses.push(answer.status());
    }
    statuses
}

/// Embedded: one gateway counts requests per user in its own memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_user_over_the_limit_gets_429_with_retry_after() {
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.rate_limit_per_minute = 5;
    away_from_a_window_edge().await;
    let app = TestApp::all_with(settings).await;
    let statuses = me_statuses(&app.client, app.gateway.as_deref().unwrap(), 7).await;
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(limited, 2, "{statuses:?}");
    app.stop().await;
}

/// Production: two gateway processes share one limit through Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_share_the_rate_limit_through_redis() {
    let Some(backing) = Backing::new(Mode::Production).await else {
        return;
    };
    let mut settings = backing.settings();
    settings.rate_limit_per_minute = 10;
    away_from_a_window_edge().await;
    let first = TestApp::all_with(settings.clone()).await;
    let second = TestApp::start(settings, &[inventory_tracker::Target::Gateway]).await;
    // One user, one token, through both gateways.
    let base_one = first.gateway.clone().unwrap();
    let base_two = second.gateway.clone().unwrap();
    let session = login(&base_one, "admin", ADMIN_PASSWORD).await;
    let client = client_with_token(session["token"].as_str().unwrap());
    let mut statuses = me_statuses(&client, &base_one, 6).await;
    statuses.extend(me_statuses(&client, &base_two, 6).await);
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // Logging in is public and not counted: exactly ten of the twelve pass.
    assert_eq!((ok, limited), (10, 2), "{statuses:?}");
    second.stop().await;
    first.stop().await;
}

/// Cost prices and the stock's value at cost are for managers: the API leaves them out for
/// clerks and viewers, and the live stream, which everyone reads, carries none.
async fn clerks_and_viewers_are_never_sent_costs(app: TestApp, _: Backing) {
    app.create(&product(
        "COST-1",
        json!({"price_cents": 1000, "cost_cents": 600}),
    ))
    .await;
    let base = app.gateway.as_deref().unwrap().to_owned();
    let (clerk, _) = app.user_client("till-clerk", "clerk").await;
    let (viewer, _) = app.user_client("look-only", "viewer").await;
    let (manager, _) = app.user_client("boss", "manager").await;
    let read = |client: Client, path: &'static str| {
        let url = format!("{base}{path}");
        async move { ok_json(client.get(url).send().await.unwrap()).await }
    };
    for client in [clerk.clone(), viewer.clone()] {
        let one = read(client.clone(), "/api/v1/products/COST-1").await;
        assert_eq!(one["price_cents"], 1000);
        assert!(one.get("cost_cents").is_none(), "{one}");
        let page = read(client.clone(), "/api/v1/products").await;
        assert!(page["items"][0].get("cost_cents").is_none(), "{page}");
        let value = read(client.clone(), "/api/v1/stock-value").await;
        assert!(value.get("at_cost_cents").is_none(), "{value}");
        assert!(value.get("at_price_cents").is_some());
    }
    assert_eq!(
        read(manager.clone(), "/api/v1/products/COST-1").await["cost_cents"],
        600
    );
    assert!(
        read(manager, "/api/v1/stock-value")
            .await
            .get("at_cost_cents")
            .is_some()
    );

    // The live stream: a price change reaches a clerk without the product's cost.
    let mut stream = SseReader::open(&clerk, &base, None).await;
    let changed = app
        .patch_json("/api/v1/products/COST-1", &json!({"price_cents": 1100}), None)
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let deadline = Instant::now() + WAIT;
    loop {
        let event = stream
            .next(deadline.saturating_duration_since(Instant::now()))
            .await
            .expect("the price change reaches the stream");
        if event.event == "ProductUpdated" {
            let product = &event.data["data"]["product"];
            assert_eq!(product["price_cents"], 1100, "{}", event.data);
            assert!(product.get("cost_cents").is_none(), "{}", event.data);
            break;
        }
    }
}
