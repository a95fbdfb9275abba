//! The dashboard in a real headless Chromium, driven through WebDriver (`chromedriver`), in
//! both modes. A shop's day: the owner logs in, creates a product, restocks it, sells it at the
//! point of sale by scanning its barcode, and voids the sale, while a clerk's page shows the
//! stock change live and never offers the Users screen. The back office: search, a stale edit,
//! archive, adjustment, count, transfer, movements, a short basket, a return, users and API
//! tokens, at tablet width too. Every screen's form controls must be labelled and the console
//! must stay free of errors. Screenshots of each main screen go to
//! `$CARGO_TARGET_TMPDIR/screenshots/` for a human to look at.
//!
//! Needs `chromium` and `chromedriver` (Debian's `chromium` and `chromium-driver`, which
//! `.ci/run` installs). Without them the tests print `SKIPPED` and pass, unless
//! `INVENTORY_TEST_REQUIRE_SERVERS=1`, which makes them fail.

use std::future::Future;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod printing;
mod purchasing;
mod reports;
mod serials;
mod shifts;
mod till;

use crate::support::{ADMIN_PASSWORD, Backing, Mode, TestApp, ok_json, product};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// How long the page may take to show something (the whole flow runs on loopback).
const WAIT: Duration = Duration::from_secs(15);
const BARCODE: &str = "4006381333931";

/// A `chromedriver` on a free port, killed when dropped.
struct Driver {
    url: String,
    process: Child,
}

impl Drop for Driver {
    /// Stops chromedriver and every browser it started, also when a test failed before
    /// closing its windows: they share chromedriver's process group.
    fn drop(&mut self) {
        let group = format!("-{}", self.process.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
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
            // A process group of its own, so that the browsers can be stopped with it.
            .process_group(0)
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
                         "--disable-dev-shm-usage", "--window-size=1366,900"],
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

/// One browser window on the dashboard, with the helpers the tests speak in.
struct Page {
    browser: Client,
    base: String,
    /// Prefix of this window's screenshots: the mode and who is looking.
    shots: String,
}

impl Page {
    async fn open(driver: &Driver, base: &str, shots: String) -> Page {
        Page {
            browser: driver.browser().await,
            base: base.to_owned(),
            shots,
        }
    }

    async fn screenshot(&self, name: &str) {
        let png = self.browser.screenshot().await.expect("a screenshot");
        let path = screenshot_dir().join(format!("{}-{name}.png", self.shots));
        std::fs::write(&path, png).expect("the screenshot written");
        println!("screenshot: {}", path.display());
    }

    /// Polls `probe` until it gives a value; on timeout saves a screenshot and fails with `what`.
    async fn eventually<T, F, Fut>(&self, what: &str, mut probe: F) -> T
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
                let name: String = what
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                self.screenshot(&format!("timeout-{name}")).await;
                let text = self.text("main").await.unwrap_or_default();
                panic!("timed out waiting for {what}; the page shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn text(&self, css: &str) -> Option<String> {
        self.browser.find(Locator::Css(css)).await.ok()?.text().await.ok()
    }

    fn has(&self, css: &str) -> impl Future<Output = bool> {
        let find = self.browser.find(Locator::Css(css));
        async move { find.await.is_ok() }
    }

    /// Waits until the element at `css` shows text containing `wanted`.
    async fn wait_shows(&self, css: &str, wanted: &str) {
        self.eventually(&format!("{css} to show {wanted:?}"), || async {
            self.text(css).await.filter(|t| t.contains(wanted)).map(drop)
        })
        .await
    }

    /// Waits until an element at `css` is displayed.
    async fn wait_for(&self, css: &str) -> Element {
        self.eventually(css, || async {
            let element = self.browser.find(Locator::Css(css)).await.ok()?;
            element.is_displayed().await.ok()?.then_some(element)
        })
        .await
    }

    /// Clicks the element at `css` once it is displayed. A screen that re-renders between
    /// finding the element and clicking it leaves a stale element: it is found again.
    async fn click(&self, css: &str) {
        self.eventually(css, || async {
            let element = self.browser.find(Locator::Css(css)).await.ok()?;
            element.is_displayed().await.ok()?.then_some(())?;
            element.click().await.ok()
        })
        .await
    }

    /// Types into the input named `name` inside the form at `form`, replacing what it held.
    async fn fill(&self, form: &str, name: &str, value: &str) {
        let input = self.wait_for(&format!("{form} [name=\"{name}\"]")).await;
        input.clear().await.expect("cleared");
        input.send_keys(value).await.expect("typed");
    }

    /// Types `text` into the element at `css` as a person would, replacing what it held
    /// (erased with Backspace, so the page hears every change), without pressing Enter.
    async fn type_into(&self, css: &str, text: &str) {
        let input = self.wait_for(css).await;
        let held = input.prop("value").await.unwrap().unwrap_or_default();
        let erase = char::from(Key::Backspace)
            .to_string()
            .repeat(held.chars().count());
        input.send_keys(&format!("{erase}{text}")).await.unwrap();
    }

    async fn choose(&self, css: &str, value: &str) {
        self.wait_for(css)
            .await
            .select_by_value(value)
            .await
            .expect("an option chosen");
    }

    async fn log_in(&self, username: &str, password: &str) {
        self.browser.goto(&format!("{}/", self.base)).await.unwrap();
        self.wait_for("#login-form").await;
        self.fill("#login-form", "username", username).await;
        self.fill("#login-form", "password", password).await;
        self.click("#login-form button[type=submit]").await;
    }

    /// Follows the header's link to `href` (an in-page navigation, no reload).
    async fn open_screen(&self, href: &str) {
        self.click(&format!("#app-nav a[href=\"{href}\"]")).await;
    }

    /// Confirms the open confirmation dialog.
    async fn confirm(&self, shot: Option<&str>) {
        self.wait_for("dialog#confirm-dialog[open]").await;
        if let Some(name) = shot {
            self.screenshot(name).await;
        }
        self.click("#confirm-yes").await;
    }

    async fn has_class(&self, css: &str, class: &str) -> bool {
        let Ok(element) = self.browser.find(Locator::Css(css)).await else {
            return false;
        };
        let classes = element.attr("class").await.unwrap().unwrap_or_default();
        classes.split_whitespace().any(|c| c == class)
    }

    async fn script(&self, code: &str) -> Value {
        self.browser.execute(code, vec![]).await.expect("the script ran")
    }

    /// Form controls on the screen that no label names (for screen readers).
    async fn unlabelled_controls(&self) -> Value {
        self.script(
            "return [...document.querySelectorAll('input, select, textarea')]
               .filter((e) => e.type !== 'hidden' && !e.labels.length && !e.getAttribute('aria-label'))
               .map((e) => e.outerHTML);",
        )
        .await
    }

    async fn assert_labelled(&self, screen: &str) {
        let unlabelled = self.unlabelled_controls().await;
        assert_eq!(unlabelled, json!([]), "unlabelled controls on {screen}");
    }

    /// Fails on any console error but the failed loads of `statuses`, which the test provoked
    /// (the browser reports every 4xx answer as an error, whatever the page does with it).
    async fn assert_no_console_errors(&self, driver: &Driver, statuses: &[u16]) {
        let errors: Vec<String> = driver
            .console_errors(&self.browser)
            .await
            .into_iter()
            .filter(|e| {
                !statuses
                    .iter()
                    .any(|s| e.contains(&format!("the server responded with a status of {s}")))
            })
            .collect();
        assert!(errors.is_empty(), "{} console errors: {errors:#?}", self.shots);
    }

    async fn close(self) {
        self.browser.close().await.unwrap();
    }
}

/// Erases what `input` holds with Backspace and types `text`, then Enter, as a person would
/// (WebDriver's clear() fires no input event, so pages never hear of it).
async fn retype(input: &Element, text: &str) {
    let held = input.prop("value").await.unwrap().unwrap_or_default();
    let erase = char::from(Key::Backspace)
        .to_string()
        .repeat(held.chars().count());
    let (end, enter) = (char::from(Key::End), char::from(Key::Enter));
    input
        .send_keys(&format!("{end}{erase}{text}{enter}"))
        .await
        .expect("typed");
}

fn mode_name(backing: &Backing) -> &'static str {
    match backing.mode {
        Mode::Embedded => "embedded",
        Mode::Production => "production",
    }
}

/// One browser test at a time: two cores run one app and two Chromium windows comfortably,
/// not four windows and two apps.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn stock_cell(sku: &str, location: &str, field: &str) -> String {
    format!("#main tr[data-sku=\"{sku}\"][data-location=\"{location}\"] td[data-field=\"{field}\"]")
}

fn stock_row(sku: &str, location: &str) -> String {
    format!("#main tr[data-sku=\"{sku}\"][data-location=\"{location}\"]")
}

modes!(a_shop_day_in_the_dashboard, the_back_office_screens_work);

async fn a_shop_day_in_the_dashboard(app: TestApp, backing: Backing) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let base = app.admin.clone().expect("the dashboard");
    let mode = mode_name(&backing);
    let owner = Page::open(&driver, &base, format!("{mode}-owner")).await;

    // Log in as the shop owner: the overview shows who is signed in.
    owner.log_in("admin", ADMIN_PASSWORD).await;
    owner.wait_shows("#current-user", "admin").await;
    owner.wait_for("svg#sales-chart").await;
    owner.assert_labelled("the overview").await;
    owner.screenshot("overview").await;

    // Create a product; a bad barcode is refused next to its field first.
    owner.open_screen("/products").await;
    owner.click("#new-product").await;
    let form = "form#product-form";
    for (name, value) in [
        ("sku", "e2e-1"),
        ("name", "E2E optical mouse"),
        ("category", "Mice"),
        ("price", "19.99"),
        ("cost", "11.50"),
        ("barcode", "4006381333932"),
        ("brand", "Acme"),
        ("warranty_months", "24"),
    ] {
        owner.fill(form, name, value).await;
    }
    owner.assert_labelled("the product form").await;
    owner.click("#product-save").await;
    owner
        .wait_for("form#product-form [name=\"barcode\"][aria-invalid=\"true\"]")
        .await;
    owner
        .wait_shows(&format!("{form} .field-error"), "Check digit")
        .await;
    owner.screenshot("product-form-error").await;
    owner.fill(form, "barcode", BARCODE).await;
    owner.click("#product-save").await;
    owner.wait_for("#main tr[data-sku=\"E2E-1\"]").await;
    owner.screenshot("products").await;
    let saved = ok_json(app.get("/api/v1/products/E2E-1").await).await;
    assert_eq!(
        (saved["serialized"].as_bool(), saved["warranty_months"].as_i64()),
        (Some(false), Some(24)),
        "the form sends the warranty and leaves serial numbers off: {saved}"
    );

    // The inventory learns of the product from the catalog's event.
    let deadline = Instant::now() + WAIT;
    while app.get("/api/v1/inventory/E2E-1").await.status() != StatusCode::OK {
        assert!(Instant::now() < deadline, "the inventory never learnt of E2E-1");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Restock 5 units from the stock screen.
    owner.open_screen("/stock").await;
    owner.click("#main tr[data-sku=\"E2E-1\"] .restock").await;
    owner.fill("form#restock-form", "quantity", "5").await;
    owner
        .fill("form#restock-form", "supplier", "Acme Distribution")
        .await;
    owner.assert_labelled("the restock form").await;
    owner.click("#restock-save").await;
    owner
        .wait_shows(&stock_cell("E2E-1", "main", "available"), "5")
        .await;
    // Low at 3 or fewer, reorder 10 at a time.
    owner
        .click(&format!("{} .settings", stock_row("E2E-1", "main")))
        .await;
    owner.fill("form#settings-form", "low_stock_threshold", "3").await;
    owner.fill("form#settings-form", "reorder_quantity", "10").await;
    owner.click("#settings-save").await;
    owner
        .wait_shows(&stock_cell("E2E-1", "main", "low_stock_threshold"), "3")
        .await;
    assert!(!owner.has_class(&stock_row("E2E-1", "main"), "low").await);
    owner.screenshot("stock").await;

    // A clerk, on another computer, logs in for the first time and must choose a password.
    let created = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "clerk1", "role": "clerk",
                    "password": "first day at the till", "must_change_password": true}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let clerk = Page::open(&driver, &base, format!("{mode}-clerk")).await;
    clerk.log_in("clerk1", "first day at the till").await;
    clerk.wait_for("#password-form").await;
    clerk.screenshot("password-change").await;
    clerk
        .fill("#password-form", "current_password", "first day at the till")
        .await;
    clerk
        .fill("#password-form", "new_password", "second day at the till")
        .await;
    clerk
        .fill("#password-form", "confirm_password", "second day at the till")
        .await;
    clerk.click("#password-form button[type=submit]").await;
    clerk.wait_shows("#current-user", "clerk").await;
    clerk.wait_for("#app-nav a[href=\"/pos\"]").await;
    assert!(
        !clerk.has("a[href=\"/users\"]").await,
        "a clerk is offered the Users screen"
    );
    clerk.browser.goto(&format!("{base}/users")).await.unwrap();
    clerk.wait_shows("#main h1", "Not allowed").await;
    assert!(!clerk.has("#new-user").await);
    clerk.screenshot("users-not-allowed").await;

    // The clerk keeps the stock screen open, without the manager's buttons; the marker
    // proves the page is never reloaded.
    clerk.open_screen("/stock").await;
    clerk
        .wait_shows(&stock_cell("E2E-1", "main", "available"), "5")
        .await;
    assert!(!clerk.has("#main .restock").await, "a clerk is offered restocks");
    clerk.script("window.__e2eMarker = 'still the same page';").await;

    // The owner sells two at the counter by scanning the barcode twice, then double-clicks.
    owner.open_screen("/pos").await;
    let scan = owner.wait_for("#pos-search").await;
    for _ in 0..2 {
        scan.send_keys(&format!("{BARCODE}{}", char::from(Key::Enter)))
            .await
            .unwrap();
    }
    owner
        .eventually("two units on the line", || async {
            let qty = owner
                .browser
                .find(Locator::Css("#pos-lines tr[data-sku=\"E2E-1\"] input.pos-qty"))
                .await
                .ok()?;
            (qty.prop("value").await.ok()?? == "2").then_some(())
        })
        .await;
    // Money is in the shop's currency (US dollars until the owner sets another).
    owner.wait_shows("#pos-total", "$39.98").await;
    owner.assert_labelled("the point of sale").await;
    owner.screenshot("pos").await;
    owner
        .script("const b = document.getElementById('pos-complete'); b.click(); b.click();")
        .await;
    owner.wait_for("#receipt[data-receipt-number]").await;
    owner.wait_shows("#receipt", "39.98").await;
    owner.screenshot("receipt").await;

    // The clerk's page shows the sale's stock change, now low, without a reload.
    clerk
        .wait_shows(&stock_cell("E2E-1", "main", "available"), "3")
        .await;
    clerk
        .eventually("the row highlighted as low", || async {
            clerk
                .has_class(&stock_row("E2E-1", "main"), "low")
                .await
                .then_some(())
        })
        .await;
    clerk.screenshot("stock-low").await;
    let marker = clerk.script("return window.__e2eMarker;").await;
    assert_eq!(marker, "still the same page", "the clerk's page was reloaded");

    // Exactly one sale was recorded.
    let sales = ok_json(app.get("/api/v1/sales?limit=50").await).await;
    let items = sales["items"].as_array().expect("sales");
    assert_eq!(items.len(), 1, "one sale, not two: {sales}");
    let sale_id = items[0]["id"].as_str().expect("a sale id").to_owned();

    // The owner's alerts list it, with the reorder quantity as the suggestion.
    owner.open_screen("/alerts").await;
    owner
        .wait_shows(
            "#main tr[data-sku=\"E2E-1\"] td[data-field=\"suggested_reorder\"]",
            "10",
        )
        .await;
    owner.screenshot("alerts").await;

    // The owner voids it from the sales screen, after confirming.
    owner.open_screen("/sales").await;
    let row = format!("#main tr[data-sale-id=\"{sale_id}\"]");
    owner.wait_for(&row).await;
    owner.assert_labelled("the sales list").await;
    owner.screenshot("sales").await;
    owner.click(&format!("{row} a")).await;
    owner.click("#void-sale").await;
    owner.confirm(Some("void-confirm")).await;
    owner.wait_for("#sale-status[data-status=\"voided\"]").await;
    owner.wait_shows("#sale-status", "Voided").await;
    owner.wait_shows("#main ol.history", "39.98 refunded").await;
    owner.screenshot("sale-voided").await;

    // The units are back on the clerk's page, still without a reload, and no longer low.
    clerk
        .wait_shows(&stock_cell("E2E-1", "main", "available"), "5")
        .await;
    clerk
        .eventually("the low highlight gone", || async {
            (!clerk.has_class(&stock_row("E2E-1", "main"), "low").await).then_some(())
        })
        .await;
    let marker = clerk.script("return window.__e2eMarker;").await;
    assert_eq!(marker, "still the same page");
    let voided = ok_json(app.get(&format!("/api/v1/sales/{sale_id}")).await).await;
    assert_eq!(voided["status"], "voided");

    // The overview's live feed shows what happened.
    owner.open_screen("/").await;
    owner.wait_for("svg#sales-chart").await;
    owner.wait_shows("#event-feed", "E2E-1").await;
    owner.wait_shows("#today-count", "0").await;
    owner.wait_shows("#stock-value-price", "99.95").await;

    // A sale rung up elsewhere (a second till) shows on the open overview without a reload.
    owner.script("window.__e2eMarker = 'overview';").await;
    let sold = app
        .post_json(
            "/api/v1/sales",
            &json!({"lines": [{"sku": "E2E-1", "quantity": 1}], "payment_method": "card"}),
        )
        .await;
    assert_eq!(
        sold.status(),
        StatusCode::CREATED,
        "{}",
        sold.text().await.unwrap()
    );
    owner.wait_shows("#today-count", "1").await;
    owner.wait_shows("#today-revenue", "19.99").await;
    owner.wait_shows("#stock-value-price", "79.96").await;
    owner.wait_shows("#top-sellers", "E2E optical mouse").await;
    owner.wait_shows("#event-feed", "SaleCreated").await;
    assert_eq!(owner.script("return window.__e2eMarker;").await, "overview");
    owner.screenshot("overview-after").await;

    // No script errors; the only failed load is the refused barcode (422) above.
    owner.assert_no_console_errors(&driver, &[422]).await;
    clerk.assert_no_console_errors(&driver, &[]).await;

    // Logging out returns to the login form.
    owner.click("button#logout").await;
    owner.wait_for("#login-form").await;

    owner.close().await;
    clerk.close().await;
    app.stop().await;
}

/// Everything else a manager and an admin do: find and edit products (and meet a stale-edit
/// conflict), archive, adjust with a reason, count, transfer, read a SKU's movements, a short
/// basket at the counter, a return, users and API tokens; at tablet width too.
async fn the_back_office_screens_work(app: TestApp, backing: Backing) {
    let _one = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start().await else {
        return;
    };
    let base = app.admin.clone().expect("the dashboard");
    let mode = mode_name(&backing);
    for (sku, name, barcode) in [
        ("BO-KB", "Mechanical keyboard", "5901234123457"),
        ("BO-CAB", "USB-C cable", "4006381333931"),
    ] {
        app.create(&product(
            sku,
            json!({"name": name, "category": "Peripherals", "price_cents": 4_900,
                   "cost_cents": 3_000, "barcode": barcode}),
        ))
        .await;
    }
    let created = app
        .post_json(
            "/api/v1/locations",
            &json!({"code": "backroom", "name": "Back room"}),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let rate = app
        .post_json(
            "/api/v1/tax-rates",
            &json!({"code": "reduced", "name": "Reduced", "rate_bp": 500}),
        )
        .await;
    assert_eq!(rate.status(), StatusCode::CREATED);
    let deadline = Instant::now() + WAIT;
    while app.get("/api/v1/inventory/BO-KB").await.status() != StatusCode::OK {
        assert!(Instant::now() < deadline, "the inventory never learnt of BO-KB");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let restocked = app
        .post_json(
            "/api/v1/inventory/BO-KB/restock",
            &json!({"quantity": 10, "location": "main"}),
        )
        .await;
    assert_eq!(
        restocked.status(),
        StatusCode::CREATED,
        "{}",
        restocked.text().await.unwrap()
    );

    // A manager logs in from the keyboard alone: type, Tab, type, Enter.
    let (_, _) = app.user_client("mgr", "manager").await;
    let page = Page::open(&driver, &base, format!("{mode}-manager")).await;
    page.browser.goto(&format!("{base}/products")).await.unwrap();
    page.wait_for("#login-username").await;
    let focused = page.browser.active_element().await.unwrap();
    assert_eq!(
        focused.attr("id").await.unwrap().as_deref(),
        Some("login-username")
    );
    focused
        .send_keys(&format!(
            "mgr{}long walks on the beach 7{}",
            char::from(Key::Tab),
            char::from(Key::Enter)
        ))
        .await
        .unwrap();
    // Back on the screen asked for, with the manager's actions but no Users screen.
    page.wait_for("#new-product").await;
    assert!(!page.has("#app-nav a[href=\"/users\"]").await);

    // Search narrows the list.
    page.wait_for("#main tr[data-sku=\"BO-CAB\"]").await;
    page.wait_for("#product-search")
        .await
        .send_keys("keyboard")
        .await
        .unwrap();
    page.eventually("the search to leave only the keyboard", || async {
        (!page.has("#main tr[data-sku=\"BO-CAB\"]").await && page.has("#main tr[data-sku=\"BO-KB\"]").await)
            .then_some(())
    })
    .await;

    // Editing while someone else saves first: the conflict is explained, their version loads.
    page.click("#main tr[data-sku=\"BO-KB\"] .edit-product").await;
    page.fill("form#product-form", "name", "Mechanical keyboard, brown switches")
        .await;
    let changed = app
        .patch_json(
            "/api/v1/products/BO-KB",
            &json!({"price_cents": 5_400}),
            Some("\"v1\""),
        )
        .await;
    assert_eq!(
        changed.status(),
        StatusCode::OK,
        "{}",
        changed.text().await.unwrap()
    );
    page.click("#product-save").await;
    page.wait_shows(
        "form#product-form .form-alert",
        "Someone else changed this product",
    )
    .await;
    page.screenshot("product-conflict").await;
    page.click("form#product-form .form-alert button").await;
    page.eventually("their price in the form", || async {
        let price = page
            .browser
            .find(Locator::Css("form#product-form [name=\"price\"]"))
            .await
            .ok()?;
        (price.prop("value").await.ok()?? == "54.00").then_some(())
    })
    .await;
    page.fill("form#product-form", "name", "Mechanical keyboard, brown switches")
        .await;
    // The tax rate is one of the shop's, chosen from a list.
    page.wait_for("form#product-form [name=\"tax_rate\"] option[value=\"reduced\"]")
        .await;
    page.choose("form#product-form [name=\"tax_rate\"]", "reduced")
        .await;
    page.click("#product-save").await;
    page.wait_shows("#main tr[data-sku=\"BO-KB\"]", "brown switches")
        .await;
    let saved = ok_json(app.get("/api/v1/products/BO-KB").await).await;
    assert_eq!(saved["name"], "Mechanical keyboard, brown switches");
    assert_eq!(saved["price_cents"], 5_400, "their change was kept");
    assert_eq!(saved["tax_rate"], "reduced");

    // Archive, after confirming: it leaves the list of active products.
    retype(&page.wait_for("#product-search").await, "").await;
    page.wait_for("#main tr[data-sku=\"BO-CAB\"]").await;
    page.click("#main tr[data-sku=\"BO-CAB\"] .archive-product").await;
    page.confirm(None).await;
    page.eventually("BO-CAB archived", || async {
        (!page.has("#main tr[data-sku=\"BO-CAB\"] .archive-product").await).then_some(())
    })
    .await;
    assert_eq!(
        ok_json(app.get("/api/v1/products/BO-CAB").await).await["active"],
        false
    );
    // Among the archived products it can be restored.
    page.choose("#product-active", "false").await;
    page.click("#main tr[data-sku=\"BO-CAB\"] .restore-product").await;
    page.eventually("BO-CAB restored", || async {
        (ok_json(app.get("/api/v1/products/BO-CAB").await).await["active"] == true).then_some(())
    })
    .await;
    page.choose("#product-active", "true").await;
    page.wait_for("#main tr[data-sku=\"BO-CAB\"] .archive-product")
        .await;
    // Archived again, for the till's refusal below.
    let archived = app
        .request(reqwest::Method::DELETE, "/api/v1/products/BO-CAB")
        .send()
        .await
        .unwrap();
    assert_eq!(archived.status(), StatusCode::NO_CONTENT);

    // On the SKU's stock page: an adjustment needs a reason, then a count and a transfer.
    page.browser.goto(&format!("{base}/stock/BO-KB")).await.unwrap();
    page.wait_shows(&stock_cell("BO-KB", "main", "available"), "10")
        .await;
    page.click(&format!("{} .adjust", stock_row("BO-KB", "main")))
        .await;
    page.fill("form#adjust-form", "quantity", "-2").await;
    page.click("#adjust-save").await;
    page.wait_for("form#adjust-form [name=\"reason\"][aria-invalid=\"true\"]")
        .await;
    page.choose("form#adjust-form [name=\"reason\"]", "damaged").await;
    page.fill("form#adjust-form", "note", "dropped in the shop").await;
    page.click("#adjust-save").await;
    page.wait_shows(&stock_cell("BO-KB", "main", "available"), "8")
        .await;
    page.click(&format!("{} .count", stock_row("BO-KB", "main")))
        .await;
    page.fill("form#count-form", "counted", "7").await;
    page.click("#count-save").await;
    page.wait_shows(&stock_cell("BO-KB", "main", "available"), "7")
        .await;
    page.click(&format!("{} .transfer", stock_row("BO-KB", "main")))
        .await;
    page.choose("form#transfer-form [name=\"to\"]", "backroom").await;
    page.fill("form#transfer-form", "quantity", "3").await;
    page.click("#transfer-save").await;
    page.wait_shows(&stock_cell("BO-KB", "backroom", "available"), "3")
        .await;
    page.wait_shows(&stock_cell("BO-KB", "main", "available"), "4")
        .await;
    // The movement history shows each, newest first, with who did it.
    page.eventually("five movements", || async {
        let rows = page
            .browser
            .find_all(Locator::Css("#main tr[data-movement-id]"))
            .await
            .ok()?;
        (rows.len() == 5).then_some(())
    })
    .await;
    let history = page
        .text("#main section[aria-labelledby=\"mov-title\"]")
        .await
        .unwrap();
    for expected in ["Damaged", "dropped in the shop", "mgr", "backroom"] {
        assert!(
            history.contains(expected),
            "{expected:?} missing from the movements:\n{history}"
        );
    }
    page.assert_labelled("the stock page").await;
    page.screenshot("stock-detail").await;

    // At the counter: asking for more than there is says so and records nothing.
    page.open_screen("/pos").await;
    let scan = page.wait_for("#pos-search").await;
    scan.send_keys(&format!("bo-kb{}", char::from(Key::Enter)))
        .await
        .unwrap();
    let qty = page
        .wait_for("#pos-lines tr[data-sku=\"BO-KB\"] input.pos-qty")
        .await;
    retype(&qty, "9").await;
    page.wait_shows("#pos-total", "486.00").await;
    page.wait_shows("#pos-lines tr[data-sku=\"BO-KB\"]", "Only 4 available")
        .await;
    // The till warns first; completing anyway, the inventory refuses the sale.
    page.click("#pos-complete").await;
    page.confirm(Some("pos-short-warning")).await;
    page.wait_shows("#pos-error", "Not enough stock").await;
    page.wait_shows("#pos-error", "only 4 available").await;
    page.screenshot("pos-short").await;
    let none = ok_json(app.get("/api/v1/sales").await).await;
    assert_eq!(none["items"], json!([]), "a short basket recorded a sale");
    // An archived product is refused at the scanner.
    scan.send_keys(&format!("4006381333931{}", char::from(Key::Enter)))
        .await
        .unwrap();
    page.wait_shows("#pos-error", "archived").await;
    // Two units then, by card.
    let qty = page
        .wait_for("#pos-lines tr[data-sku=\"BO-KB\"] input.pos-qty")
        .await;
    retype(&qty, "2").await;
    page.click("#pos-tender-card").await;
    page.wait_shows("#pos-total", "108.00").await;
    page.click("#pos-complete").await;
    page.wait_for("#receipt[data-receipt-number]").await;

    // Its sale, found by filtering the history, takes one unit back onto the shelf.
    page.open_screen("/sales").await;
    page.choose("#sales-payment", "card").await;
    let sales = ok_json(app.get("/api/v1/sales").await).await;
    let sale_id = sales["items"][0]["id"].as_str().expect("the sale").to_owned();
    page.click(&format!("#main tr[data-sale-id=\"{sale_id}\"] a"))
        .await;
    page.click("#return-items").await;
    page.fill("form#return-form", "qty-0", "1").await;
    // It says why and how the money goes back.
    page.choose("#return-reason", "damaged").await;
    page.choose("#return-refund-method", "cash").await;
    page.click("#return-save").await;
    page.wait_for("#sale-status[data-status=\"partially_returned\"]")
        .await;
    page.wait_shows("#sale-status", "Partially returned").await;
    page.wait_shows("#main ol.history", "refunded by cash (damaged)")
        .await;
    page.screenshot("sale-returned").await;
    let stock = ok_json(app.get("/api/v1/inventory/BO-KB").await).await;
    assert_eq!(stock["totals"]["on_hand"], 3 + 4 - 2 + 1);
    // The stale edit (412) and the short basket (409).
    page.assert_no_console_errors(&driver, &[409, 412]).await;
    page.close().await;

    // The admin manages users: create, change the role, reset the password, disable.
    let admin = Page::open(&driver, &base, format!("{mode}-admin")).await;
    admin.log_in("admin", ADMIN_PASSWORD).await;
    admin.open_screen("/users").await;
    admin.click("#new-user").await;
    admin.fill("form#user-form", "username", "saturday").await;
    admin
        .fill("form#user-form", "display_name", "Saturday help")
        .await;
    admin.choose("form#user-form [name=\"role\"]", "viewer").await;
    admin.fill("form#user-form", "password", "short").await;
    admin.click("#user-save").await;
    admin
        .wait_for("form#user-form [name=\"password\"][aria-invalid=\"true\"]")
        .await;
    admin
        .fill("form#user-form", "password", "weekends are for selling")
        .await;
    admin.assert_labelled("the user form").await;
    admin.click("#user-save").await;
    let user_row = "#main tr[data-username=\"saturday\"]";
    admin.wait_for(user_row).await;
    admin
        .choose(&format!("{user_row} select.user-role"), "clerk")
        .await;
    admin.confirm(None).await;
    admin
        .eventually("the new role saved", || async {
            let users = ok_json(app.get("/api/v1/users").await).await;
            let user = users
                .as_array()?
                .iter()
                .find(|u| u["username"] == "saturday")?
                .clone();
            (user["role"] == "clerk").then_some(())
        })
        .await;
    admin.click(&format!("{user_row} .user-reset")).await;
    admin
        .fill("form#reset-form", "password", "a fresh start for saturday")
        .await;
    admin.click("#reset-save").await;
    admin.wait_shows(user_row, "Must change password").await;
    admin.click(&format!("{user_row} .user-disable")).await;
    admin.confirm(None).await;
    admin.wait_shows(user_row, "Disabled").await;
    admin.screenshot("users").await;
    let refused = crate::support::try_login(
        app.gateway.as_deref().unwrap(),
        "saturday",
        "a fresh start for saturday",
    )
    .await;
    assert_eq!(
        refused.status(),
        StatusCode::UNAUTHORIZED,
        "a disabled user logged in"
    );

    // An API token: shown once, works, and stops working when revoked.
    admin.click("#current-user a[href=\"/account\"]").await;
    admin.fill("form#token-form", "name", "accounting export").await;
    admin.click("#token-save").await;
    let token = admin.wait_for("#new-token").await.text().await.unwrap();
    let with_token = crate::support::client_with_token(&token);
    let gateway = app.gateway.clone().unwrap();
    let ok = with_token
        .get(format!("{gateway}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    admin.screenshot("account").await;
    admin.click("#token-list .token-revoke").await;
    admin.confirm(None).await;
    admin
        .eventually("the token revoked", || async {
            (!admin.has("#token-list .token-revoke").await).then_some(())
        })
        .await;
    let refused = with_token
        .get(format!("{gateway}/api/v1/products"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    // At tablet width nothing spills sideways, and the menu still reaches every screen.
    admin.browser.set_window_size(768, 1024).await.unwrap();
    for (href, ready) in [
        ("/", "svg#sales-chart"),
        ("/products", "#main tr[data-sku]"),
        ("/stock", "#main tr[data-sku]"),
        ("/pos", "#pos-search"),
        ("/sales", "#main tr[data-sale-id]"),
        ("/users", "#main tr[data-username]"),
    ] {
        admin.open_screen(href).await;
        admin.wait_for(ready).await;
        let overflow = admin
            .script("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
            .await;
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{href} is wider than a tablet by {overflow}px"
        );
        let name = if href == "/" { "overview" } else { &href[1..] };
        admin.screenshot(&format!("tablet-{name}")).await;
    }

    // The refused short password.
    admin.assert_no_console_errors(&driver, &[422]).await;
    admin.close().await;
    app.stop().await;
}
