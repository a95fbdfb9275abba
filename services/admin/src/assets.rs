//! The dashboard's files, compiled into the binary so that it runs with nothing to install,
//! and `index.html` for the address of every screen (the page routes in the browser). One
//! script, `js/states.js`, is made here from the kernel's state enums, so the dashboard
//! never keeps its own copy of the payment methods, sale statuses and reasons.

use std::borrow::Cow;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use web::Problem;

/// Every file under `assets/`, by its path there. The test below fails when a file is
/// missing from this list.
macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $path)) as &[u8])),*]
    };
}

static FILES: &[(&str, &[u8])] = embed![
    "index.html",
    "app.css",
    "favicon.svg",
    "js/api.js",
    "js/app.js",
    "js/dom.js",
    "js/format.js",
    "js/combobox.js",
    "js/exports.js",
    "js/header.js",
    "js/live.js",
    "js/router.js",
    "js/session.js",
    "js/screens/account.js",
    "js/screens/alerts.js",
    "js/screens/serials.js",
    "js/screens/rmas/board.js",
    "js/screens/rmas/detail.js",
    "js/screens/customers.js",
    "js/screens/import/template.js",
    "js/screens/import/wizard.js",
    "js/screens/locations.js",
    "js/screens/login.js",
    "js/screens/overview.js",
    "js/screens/pos/approval.js",
    "js/screens/pos/basket.js",
    "js/screens/pos/close.js",
    "js/screens/pos/count.js",
    "js/screens/pos/customer.js",
    "js/screens/pos/discount.js",
    "js/screens/pos/index.js",
    "js/screens/pos/lines.js",
    "js/screens/pos/location.js",
    "js/screens/pos/movement.js",
    "js/screens/pos/pricing.js",
    "js/screens/pos/problems.js",
    "js/screens/pos/receipt.js",
    "js/screens/pos/search.js",
    "js/screens/pos/shift.js",
    "js/screens/pos/submit.js",
    "js/screens/pos/tender.js",
    "js/screens/pos/tillid.js",
    "js/screens/pos/totals.js",
    "js/screens/products.js",
    "js/screens/purchasing/common.js",
    "js/screens/purchasing/detail.js",
    "js/screens/purchasing/form.js",
    "js/screens/purchasing/lines.js",
    "js/screens/purchasing/list.js",
    "js/screens/purchasing/print.js",
    "js/screens/purchasing/receive-lines.js",
    "js/screens/purchasing/receive.js",
    "js/screens/purchasing/scan.js",
    "js/screens/purchasing/suggestion-rows.js",
    "js/screens/purchasing/suggestions.js",
    "js/screens/purchasing/view.js",
    "js/screens/reports/cards.js",
    "js/screens/reports/chart.js",
    "js/screens/reports/index.js",
    "js/screens/reports/tables.js",
    "js/screens/roles.js",
    "js/screens/sales/badge.js",
    "js/screens/sales/detail.js",
    "js/screens/sales/list.js",
    "js/screens/sales/refund.js",
    "js/screens/shifts/detail.js",
    "js/screens/shifts/list.js",
    "js/screens/shifts/report.js",
    "js/screens/shifts/till.js",
    "js/screens/stock/detail.js",
    "js/screens/stock/forms.js",
    "js/screens/stock/list.js",
    "js/screens/stock/rows.js",
    "js/screens/suppliers/data.js",
    "js/screens/suppliers/form.js",
    "js/screens/suppliers/list.js",
    "js/screens/suppliers/product.js",
    "js/screens/tokens.js",
    "js/screens/users.js",
];

/// The addresses of the dashboard's screens; each answers `index.html`, whose script shows
/// the screen. Kept in step with `ROUTES` in `assets/js/router.js` (tested); `/login` is the
/// router's own screen.
pub const PAGES: &[&str] = &[
    "/",
    "/login",
    "/products",
    "/stock",
    "/stock/{sku}",
    "/purchasing",
    "/purchasing/suggestions",
    "/purchasing/new",
    "/purchasing/{id}",
    "/purchasing/{id}/edit",
    "/purchasing/{id}/receive",
    "/suppliers",
    "/pos",
    "/sales",
    "/sales/{id}",
    "/customers",
    "/reports",
    "/shifts",
    "/shifts/{id}",
    "/alerts",
    "/serials/{serial}",
    "/rmas",
    "/rmas/{id}",
    "/locations",
    "/users",
    "/account",
];

/// `js/states.js`: the names of every state the dashboard offers or shows, as the API sends
/// them.
fn states_module() -> Vec<u8> {
    fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|&value| name(value)).collect()
    }
    format!(
        "// Made by the server from its own types (services/admin/src/assets.rs).\n\
         export const PAYMENT_METHODS = {:?};\n\
         export const SALE_STATUSES = {:?};\n\
         export const ADJUSTMENT_REASONS = {:?};\n",
        names(kernel::PaymentMethod::ALL, kernel::PaymentMethod::as_str),
        names(kernel::SaleStatus::ALL, kernel::SaleStatus::as_str),
        names(
            kernel::states::AdjustmentReason::ALL,
            kernel::states::AdjustmentReason::as_str
        ),
    )
    .into_bytes()
}

struct Asset {
    path: &'static str,
    body: Cow<'static, [u8]>,
    content_type: &'static str,
    /// A strong validator for `If-None-Match`: the files change only with the binary.
    etag: HeaderValue,
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|&(path, body)| (path, Cow::Borrowed(body)))
        .chain([("js/states.js", Cow::Owned(states_module()))])
        .map(|(path, body)| {
            let mut hasher = DefaultHasher::new();
            body.hash(&mut hasher);
            Asset {
                path,
                body,
                content_type: content_type(path),
                etag: HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish()))
                    .expect("hex is a valid header value"),
            }
        })
        .collect()
});

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

pub fn router() -> Router {
    let mut router = Router::new().route("/assets/{*path}", get(asset));
    for page in PAGES {
        router = router.route(page, get(index));
    }
    router
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers).expect("index.html is embedded")
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers).unwrap_or_else(|| {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "No such file")
            .detail(format!("The dashboard has no file {path}."))
            .into_response()
    })
}

fn serve(path: &str, headers: &HeaderMap) -> Option<Response> {
    let asset = ASSETS.iter().find(|a| a.path == path)?;
    // `no-cache`: the browser may keep a copy but asks each time, so a new version of the
    // binary is picked up at once; an unchanged file costs a 304.
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tag| tag == asset.etag);
    let common = [
        (header::ETAG, asset.etag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    Some(if fresh {
        (StatusCode::NOT_MODIFIED, common).into_response()
    } else {
        (
            common,
            [(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type))],
            asset.body.clone(),
        )
            .into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_under(dir: &std::path::Path, prefix: &str, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                files_under(&entry.path(), &format!("{name}/"), found);
            } else {
                found.push(name);
            }
        }
    }

    #[test]
    fn every_file_under_assets_is_embedded() {
        let mut on_disk = Vec::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        files_under(&dir, "", &mut on_disk);
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(p, _)| (*p).to_owned()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn every_page_is_a_route_of_the_browser_router() {
        let router = std::str::from_utf8(
            FILES
                .iter()
                .find(|(path, _)| *path == "js/router.js")
                .expect("router.js is embedded")
                .1,
        )
        .unwrap();
        let mut routes: Vec<&str> = router
            .split("{ path: '")
            .skip(1)
            .map(|rest| &rest[..rest.find('\'').expect("a closing quote")])
            .collect();
        routes.push("/login");
        routes.sort_unstable();
        let mut pages = PAGES.to_vec();
        pages.sort_unstable();
        assert_eq!(routes, pages);
    }

    #[test]
    fn the_states_script_names_what_the_api_sends() {
        let states = String::from_utf8(states_module()).unwrap();
        for method in kernel::PaymentMethod::ALL {
            assert!(states.contains(&format!("\"{}\"", method.as_str())));
        }
        for status in kernel::SaleStatus::ALL {
            assert!(states.contains(&format!("\"{}\"", status.as_str())));
        }
        let reasons = kernel::states::AdjustmentReason::ALL;
        let listed: Vec<String> = reasons.iter().map(|r| format!("\"{}\"", r.as_str())).collect();
        assert!(states.contains(&format!("ADJUSTMENT_REASONS = [{}];", listed.join(", "))));
        assert!(ASSETS.iter().any(|asset| asset.path == "js/states.js"));
    }

    #[test]
    fn scripts_are_served_as_javascript_so_modules_load() {
        assert_eq!(content_type("js/app.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
    }

    #[test]
    fn an_unchanged_file_is_not_sent_again() {
        let etag = ASSETS[0].etag.clone();
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, etag);
        let response = serve(ASSETS[0].path, &headers).unwrap();
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        let response = serve(ASSETS[0].path, &HeaderMap::new()).unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
