//! The dashboard in a real headless Chromium, driven through WebDriver (`chromedriver`): a shop
//! owner logs in, creates a product, restocks it, sells it at the point of sale by scanning its
//! barcode, and voids the sale, while a clerk's page shows the stock change live and never
//! offers the Users screen. Screenshots of each main screen go to
//! `$CARGO_TARGET_TMPDIR/screenshots/` for a human to look at.
//!
//! Needs `chromium` and `chromedriver` (Debian's `chromium` and `chromium-driver`, which
//! `.ci/run` installs). Without them the test prints `SKIPPED` and passes, unless
//! `INVENTORY_TEST_REQUIRE_SERVERS=1`, which makes it fail.

mod support;

use std::future::Future;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{ADMIN_PASSWORD, Backing, Mode, TestApp, ok_json};

/// How long the page may take to show something (the whole flow runs on loopback).
const WAIT: Duration = Duration::from_secs(15);
const BARCODE: &str = "4006381333931";

/// A `chromedriver` on a free port, killed when dropped.
struct Driver {
    url: String,
    process: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Driver {
    /// Starts chromedriver, or returns `None` (after printing why) when it is not installed
    /// and the tests may skip.
    async fn start() -> Option<Driver> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = match Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(process) => process,
            Err(error) => {
                testkit::unreachable("chromedriver", "$PATH", &error.to_string());
                return None;
            }
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + WAIT;
        while reqwest::get(format!("{url}/status")).await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Some(Driver { url, process })
    }

    /// A new browser window with its own profile (its own cookies).
    async fn browser(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium_binary(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900"],
            }),
        );
        capabilities.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }

    /// What the page wrote to the console at level SEVERE since the last call.
    async fn console_errors(&self, browser: &Client) -> Vec<String> {
        // Chromedriver's log endpoint; fantoccini has no wrapper for it.
        let session = browser.session_id().await.unwrap().expect("a session");
        let log: Value = reqwest::Client::new()
            .post(format!("{}/session/{session}/se/log", self.url))
            .json(&json!({"type": "browser"}))
            .send()
            .await
            .expect("the browser log")
            .json()
            .await
            .expect("the browser log as JSON");
        log["value"]
            .as_array()
            .expect("log entries")
            .iter()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

fn chromium_binary() -> &'static str {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|path| std::path::Path::new(path).exists())
    .unwrap_or("/usr/bin/chromium")
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("a screenshot");
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).expect("the screenshot written");
    println!("screenshot: {}", path.display());
}

/// Polls `probe` until it gives a value; on timeout saves a screenshot and fails with `what`.
async fn eventually<T, F, Fut>(browser: &Client, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        if Instant::now() > deadline {
            screenshot(browser, &format!("timeout-{}", what.replace(' ', "-"))).await;
            let text = text(browser, "main").await.unwrap_or_default();
            panic!("timed out waiting for {what}; the page shows:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text(browser: &Client, css: &str) -> Option<String> {
    browser.find(Locator::Css(css)).await.ok()?.text().await.ok()
}

/// `Some(())` once the element at `css` shows text containing `wanted`.
async fn shows(browser: &Client, css: &str, wanted: &str) -> Option<()> {
    text(browser, css).await.filter(|t| t.contains(wanted)).map(drop)
}

async fn wait_shows(browser: &Client, css: &str, wanted: &str) {
    eventually(browser, &format!("{css} to show {wanted:?}"), || {
        shows(browser, css, wanted)
    })
    .await
}

async fn wait_for(browser: &Client, css: &str) -> fantoccini::elements::Element {
    eventually(browser, css, || async {
        let element = browser.find(Locator::Css(css)).await.ok()?;
        element.is_displayed().await.ok()?.then_some(element)
    })
    .await
}

async fn click(browser: &Client, css: &str) {
    wait_for(browser, css).await.click().await.expect("clicked");
}

/// Types into the input named `name` inside the form at `form`, replacing what it held.
async fn fill(browser: &Client, form: &str, name: &str, value: &str) {
    let input = wait_for(browser, &format!("{form} [name=\"{name}\"]")).await;
    input.clear().await.expect("cleared");
    input.send_keys(value).await.expect("typed");
}

async fn log_in(browser: &Client, base: &str, username: &str, password: &str) {
    browser.goto(&format!("{base}/")).await.unwrap();
    wait_for(browser, "#login-form").await;
    fill(browser, "#login-form", "username", username).await;
    fill(browser, "#login-form", "password", password).await;
    click(browser, "#login-form button[type=submit]").await;
}

/// Follows the header's link to `href` (an in-page navigation, no reload).
async fn open_screen(browser: &Client, href: &str) {
    click(browser, &format!("#app-nav a[href=\"{href}\"]")).await;
}

/// Whether E2E-1's row at `main` is highlighted as low stock.
async fn is_low(browser: &Client) -> bool {
    let row = browser
        .find(Locator::Css(
            "#main tr[data-sku=\"E2E-1\"][data-location=\"main\"]",
        ))
        .await
        .expect("the stock row");
    let class = row.attr("class").await.unwrap().unwrap_or_default();
    class.split_whitespace().any(|c| c == "low")
}

fn stock_cell(location: &str, field: &str) -> String {
    format!("#main tr[data-sku=\"E2E-1\"][data-location=\"{location}\"] td[data-field=\"{field}\"]")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shop_day_in_the_dashboard() {
    let Some(driver) = Driver::start().await else {
        return;
    };
    let Some(backing) = Backing::new(Mode::Embedded).await else {
        return;
    };
    let app = TestApp::all(&backing).await;
    let base = app.admin.clone().expect("the dashboard");
    let owner = driver.browser().await;

    // Log in as the shop owner: the overview shows who is signed in.
    log_in(&owner, &base, "admin", ADMIN_PASSWORD).await;
    wait_shows(&owner, "#current-user", "admin").await;
    wait_for(&owner, "svg#sales-chart").await;
    screenshot(&owner, "overview").await;

    // Create a product; a bad barcode is refused next to its field first.
    open_screen(&owner, "/products").await;
    click(&owner, "#new-product").await;
    let form = "form#product-form";
    for (name, value) in [
        ("sku", "e2e-1"),
        ("name", "E2E optical mouse"),
        ("category", "Mice"),
        ("price", "19.99"),
        ("cost", "11.50"),
        ("barcode", "4006381333932"),
        ("brand", "Acme"),
    ] {
        fill(&owner, form, name, value).await;
    }
    click(&owner, "#product-save").await;
    wait_shows(&owner, &format!("{form} .field-error"), "").await;
    let barcode_error = eventually(&owner, "the barcode's error", || async {
        let input = owner
            .find(Locator::Css("form#product-form [name=\"barcode\"]"))
            .await
            .ok()?;
        (input.attr("aria-invalid").await.ok()?? == "true").then_some(())
    });
    barcode_error.await;
    screenshot(&owner, "product-form-error").await;
    fill(&owner, form, "barcode", BARCODE).await;
    click(&owner, "#product-save").await;
    wait_for(&owner, "#main tr[data-sku=\"E2E-1\"]").await;
    screenshot(&owner, "products").await;

    // The inventory learns of the product from the catalog's event.
    let deadline = Instant::now() + WAIT;
    while app.get("/api/v1/inventory/E2E-1").await.status() != StatusCode::OK {
        assert!(Instant::now() < deadline, "the inventory never learnt of E2E-1");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Restock 5 units from the stock screen.
    open_screen(&owner, "/stock").await;
    click(&owner, "#main tr[data-sku=\"E2E-1\"] .restock").await;
    fill(&owner, "form#restock-form", "quantity", "5").await;
    fill(&owner, "form#restock-form", "supplier", "Acme Distribution").await;
    click(&owner, "#restock-save").await;
    wait_shows(&owner, &stock_cell("main", "available"), "5").await;
    // Low at 3 or fewer, reorder 10 at a time.
    click(
        &owner,
        "#main tr[data-sku=\"E2E-1\"][data-location=\"main\"] .settings",
    )
    .await;
    fill(&owner, "form#settings-form", "low_stock_threshold", "3").await;
    fill(&owner, "form#settings-form", "reorder_quantity", "10").await;
    click(&owner, "#settings-save").await;
    wait_shows(&owner, &stock_cell("main", "low_stock_threshold"), "3").await;
    assert!(!is_low(&owner).await, "5 available is not low at 3");
    screenshot(&owner, "stock").await;

    // A clerk, on another computer, logs in for the first time and must choose a password.
    let created = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "clerk1", "role": "clerk",
                    "password": "first day at the till", "must_change_password": true}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let clerk = driver.browser().await;
    log_in(&clerk, &base, "clerk1", "first day at the till").await;
    wait_for(&clerk, "#password-form").await;
    fill(
        &clerk,
        "#password-form",
        "current_password",
        "first day at the till",
    )
    .await;
    fill(&clerk, "#password-form", "new_password", "second day at the till").await;
    fill(
        &clerk,
        "#password-form",
        "confirm_password",
        "second day at the till",
    )
    .await;
    click(&clerk, "#password-form button[type=submit]").await;
    wait_shows(&clerk, "#current-user", "clerk").await;
    wait_for(&clerk, "#app-nav a[href=\"/pos\"]").await;
    assert!(
        clerk.find(Locator::Css("a[href=\"/users\"]")).await.is_err(),
        "a clerk is offered the Users screen"
    );
    clerk.goto(&format!("{base}/users")).await.unwrap();
    wait_shows(&clerk, "#main h1", "Not allowed").await;
    assert!(clerk.find(Locator::Css("#new-user")).await.is_err());
    screenshot(&clerk, "clerk-users-not-allowed").await;

    // The clerk keeps the stock screen open; the marker proves it is never reloaded.
    open_screen(&clerk, "/stock").await;
    wait_shows(&clerk, &stock_cell("main", "available"), "5").await;
    clerk
        .execute("window.__e2eMarker = 'still the same page';", vec![])
        .await
        .unwrap();

    // The owner sells two at the counter by scanning the barcode twice, then double-clicks.
    open_screen(&owner, "/pos").await;
    let scan = wait_for(&owner, "#pos-scan").await;
    for _ in 0..2 {
        scan.send_keys(&format!("{BARCODE}{}", char::from(Key::Enter)))
            .await
            .unwrap();
    }
    eventually(&owner, "two units on the line", || async {
        let qty = owner
            .find(Locator::Css("#pos-lines tr[data-sku=\"E2E-1\"] input.pos-qty"))
            .await
            .ok()?;
        (qty.prop("value").await.ok()?? == "2").then_some(())
    })
    .await;
    wait_shows(&owner, "#pos-total", "39.98").await;
    screenshot(&owner, "pos").await;
    owner
        .execute(
            "const b = document.getElementById('pos-complete'); b.click(); b.click();",
            vec![],
        )
        .await
        .unwrap();
    wait_for(&owner, "#receipt[data-receipt-number]").await;
    wait_shows(&owner, "#receipt", "39.98").await;
    screenshot(&owner, "receipt").await;

    // The clerk's page shows the sale's stock change, now low, without a reload.
    wait_shows(&clerk, &stock_cell("main", "available"), "3").await;
    eventually(&clerk, "the row highlighted as low", || async {
        is_low(&clerk).await.then_some(())
    })
    .await;
    screenshot(&clerk, "clerk-stock-low").await;
    let marker = clerk.execute("return window.__e2eMarker;", vec![]).await.unwrap();
    assert_eq!(marker, "still the same page", "the clerk's page was reloaded");

    // Exactly one sale was recorded.
    let sales = ok_json(app.get("/api/v1/sales?limit=50").await).await;
    let items = sales["items"].as_array().expect("sales");
    assert_eq!(items.len(), 1, "one sale, not two: {sales}");
    let sale_id = items[0]["id"].as_str().expect("a sale id").to_owned();

    // The owner's alerts list it, with the reorder quantity as the suggestion.
    open_screen(&owner, "/alerts").await;
    wait_shows(
        &owner,
        "#main tr[data-sku=\"E2E-1\"] td[data-field=\"suggested_reorder\"]",
        "10",
    )
    .await;
    screenshot(&owner, "alerts").await;

    // The owner voids it from the sales screen, after confirming.
    open_screen(&owner, "/sales").await;
    let row = format!("#main tr[data-sale-id=\"{sale_id}\"]");
    wait_for(&owner, &row).await;
    screenshot(&owner, "sales").await;
    click(&owner, &format!("{row} a")).await;
    click(&owner, "#void-sale").await;
    wait_for(&owner, "dialog#confirm-dialog[open]").await;
    screenshot(&owner, "void-confirm").await;
    click(&owner, "#confirm-yes").await;
    wait_shows(&owner, "#sale-status", "voided").await;
    screenshot(&owner, "sale-voided").await;

    // The units are back on the clerk's page, still without a reload, and no longer low.
    wait_shows(&clerk, &stock_cell("main", "available"), "5").await;
    eventually(&clerk, "the low highlight gone", || async {
        (!is_low(&clerk).await).then_some(())
    })
    .await;
    let marker = clerk.execute("return window.__e2eMarker;", vec![]).await.unwrap();
    assert_eq!(marker, "still the same page");
    let voided = ok_json(app.get(&format!("/api/v1/sales/{sale_id}")).await).await;
    assert_eq!(voided["status"], "voided");

    // The users screen, for the record.
    open_screen(&owner, "/users").await;
    wait_for(&owner, "#main tr[data-username=\"clerk1\"]").await;
    screenshot(&owner, "users").await;
    open_screen(&owner, "/").await;
    wait_for(&owner, "svg#sales-chart").await;
    wait_shows(&owner, "#event-feed", "E2E-1").await;
    screenshot(&owner, "overview-after").await;

    // No script errors; the only failed loads are the refused barcode (422) above.
    for (who, browser) in [("owner", &owner), ("clerk", &clerk)] {
        let errors: Vec<String> = driver
            .console_errors(browser)
            .await
            .into_iter()
            .filter(|e| !e.contains("the server responded with a status of 422"))
            .collect();
        assert!(errors.is_empty(), "the {who}'s console shows errors: {errors:#?}");
    }

    // Logging out returns to the login form.
    click(&owner, "button#logout").await;
    wait_for(&owner, "#login-form").await;

    owner.close().await.unwrap();
    clerk.close().await.unwrap();
    app.stop().await;
}
