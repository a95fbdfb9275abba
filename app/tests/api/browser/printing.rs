//! The page as printed: laid out as on an 80 mm roll (print media at 80 mm, through
//! Chromium's DevTools commands, which WebDriver has none for) and the page size of the PDF
//! Chromium prints.

use super::*;

/// 80 mm at the CSS resolution of 96 pixels per inch.
pub(super) const ROLL_PX: f64 = 80.0 / 25.4 * 96.0;

impl Page {
    /// Lays the page out as printed on an 80 mm roll: print media, 80 mm wide (Chromium's
    /// DevTools commands through chromedriver; WebDriver has none for this).
    pub(super) async fn as_printed_on_a_roll(&self, driver: &Driver, on: bool) {
        let session = self.browser.session_id().await.unwrap().expect("a session");
        let cdp = |cmd: &str, params: Value| {
            reqwest::Client::new()
                .post(format!("{}/session/{session}/goog/cdp/execute", driver.url))
                .json(&json!({"cmd": cmd, "params": params}))
                .send()
        };
        let (media, metrics) = if on {
            (
                json!({"media": "print"}),
                json!({"width": ROLL_PX.floor() as i64, "height": 1400, "deviceScaleFactor": 2, "mobile": false}),
            )
        } else {
            (json!({"media": ""}), Value::Null)
        };
        assert!(
            cdp("Emulation.setEmulatedMedia", media)
                .await
                .unwrap()
                .status()
                .is_success()
        );
        let metrics = if on {
            cdp("Emulation.setDeviceMetricsOverride", metrics).await
        } else {
            cdp("Emulation.clearDeviceMetricsOverride", json!({})).await
        };
        assert!(metrics.unwrap().status().is_success());
    }

    /// The receipt as printed on the roll: nothing else shows, and it fits the paper.
    pub(super) async fn assert_receipt_fits_the_roll(&self, driver: &Driver, shot: &str) {
        self.as_printed_on_a_roll(driver, true).await;
        let layout = self
            .script(
                "const r = document.getElementById('receipt').getBoundingClientRect();
                 const shown = (s) => [...document.querySelectorAll(s)].some((e) => e.getClientRects().length
                     && getComputedStyle(e).visibility !== 'hidden');
                 return {width: r.width, header: shown('.app-header'), buttons: shown('#receipt button')};",
            )
            .await;
        assert!(
            layout["width"].as_f64().unwrap() <= ROLL_PX,
            "the receipt is wider than the roll: {layout}"
        );
        assert_eq!(layout["header"], false, "the header prints: {layout}");
        assert_eq!(layout["buttons"], false, "buttons print: {layout}");
        self.screenshot(shot).await;
        self.as_printed_on_a_roll(driver, false).await;
    }

    /// The size of the first page the browser prints, in whole millimetres, from the PDF it
    /// makes with the page's own CSS page size (`MediaBox`, in points of 1/72 inch).
    pub(super) async fn printed_page_mm(&self, driver: &Driver) -> (i64, i64) {
        use base64::Engine as _;
        let session = self.browser.session_id().await.unwrap().expect("a session");
        let printed: Value = reqwest::Client::new()
            .post(format!("{}/session/{session}/goog/cdp/execute", driver.url))
            .json(&json!({"cmd": "Page.printToPDF", "params": {"preferCSSPageSize": true}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(printed["value"]["data"].as_str().expect("a PDF"))
            .unwrap();
        let text = String::from_utf8_lossy(&pdf);
        let start = text.find("/MediaBox [").expect("a page size") + "/MediaBox [".len();
        let numbers: Vec<f64> = text[start..]
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        let mm = |points: f64| (points / 72.0 * 25.4).round() as i64;
        (mm(numbers[2] - numbers[0]), mm(numbers[3] - numbers[1]))
    }
}
