//! Importing products from CSV through the gateway in both modes: a spreadsheet's file (BOM,
//! `;`, decimal commas, a quoted line break) checked by a dry run that names every bad cell and
//! changes nothing; a real run with a bad row applies nothing; a good one creates and updates
//! products and sets their opening stock in the inventory; the same file again changes nothing.

use std::time::Duration;

use crate::support::{Backing, TestApp, ok_json, product};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

modes!(
    a_spreadsheet_of_products_imports_all_or_nothing_with_opening_stock,
    serial_numbers_and_warranty_import_by_column,
);

const WAIT: Duration = Duration::from_secs(20);

async fn import(app: &TestApp, file: &str, dry_run: bool) -> reqwest::Response {
    app.request(
        Method::POST,
        &format!("/api/v1/imports/products?dry_run={dry_run}"),
    )
    .header("content-type", "text/csv; charset=utf-8")
    .body(file.to_owned())
    .send()
    .await
    .unwrap()
}

fn cells(errors: &Value) -> Vec<(u64, String)> {
    errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn a_spreadsheet_of_products_imports_all_or_nothing_with_opening_stock(app: TestApp, _: Backing) {
    let base = app.gateway.clone().unwrap();
    app.create(&product(
        "IMP-OLD",
        json!({"price_cents": 1_000, "brand": "Acme"}),
    ))
    .await;
    let good = "\u{feff}SKU;Name;Category;Price;Cost;Brand;Description;stock:main\r\n\
                IMP-OLD;;;12,50;;;Refurbished;\r\n\
                IMP-NEW-1;\"Cable; braided\";Cables;9,99;4;Acme;\"two\nlines\";5\r\n\
                IMP-NEW-2;SSD 1 TB;Storage;89;60;;;0\r\n";
    let bad = good
        .replace("89;60", "8x9;60")
        .replace("IMP-NEW-1;\"Cable", "IMP-NEW-1 BAD;\"Cable")
        + "IMP-OLD;;;1;;;;\r\n";

    // A dry run of a bad file names every bad cell by line and column and changes nothing.
    let checked = ok_json(import(&app, &bad, true).await).await;
    assert_eq!(checked["dry_run"], true);
    assert_eq!(checked["rows"], 4);
    assert_eq!(
        cells(&checked["errors"]),
        [
            (3, "sku".to_owned()),
            (5, "Price".to_lowercase()),
            (6, "sku".to_owned())
        ],
        "{checked}"
    );
    // A real run of it is refused whole.
    let refused = import(&app, &bad, false).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(cells(&problem["rows"]).len(), 3, "{problem}");
    assert_eq!(
        app.get("/api/v1/products/IMP-NEW-2").await.status(),
        StatusCode::NOT_FOUND
    );
    let unknown = import(&app, "sku,stock:attic\nIMP-X,1\n", true).await;
    let unknown = ok_json(unknown).await;
    assert_eq!(unknown["errors"][0]["column"], "stock:attic", "{unknown}");
    // A file whose header cannot be used is refused even by a dry run, every fault named.
    let unusable = import(&app, "{}\n", true).await;
    assert_eq!(unusable.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = unusable.json().await.unwrap();
    assert_eq!(
        cells(&problem["rows"]),
        [(1, "{}".to_owned()), (1, "sku".to_owned())],
        "{problem}"
    );

    // The good file: a dry run says what would happen, the real run does it.
    let preview = ok_json(import(&app, good, true).await).await;
    assert_eq!(
        (&preview["created"], &preview["updated"], &preview["stock_rows"]),
        (&json!(2), &json!(1), &json!(2)),
        "{preview}"
    );
    assert_eq!(
        app.get("/api/v1/products/IMP-NEW-1").await.status(),
        StatusCode::NOT_FOUND,
        "a dry run changes nothing"
    );
    let report = ok_json(import(&app, good, false).await).await;
    assert_eq!(report["errors"], json!([]));
    assert_eq!((&report["created"], &report["updated"]), (&json!(2), &json!(1)));
    let new = ok_json(app.get("/api/v1/products/IMP-NEW-1").await).await;
    assert_eq!(new["name"], "Cable; braided");
    assert_eq!(new["description"], "two\nlines");
    assert_eq!(new["price_cents"], 999);
    // An existing product: the price and description change, blank name and category keep
    // theirs, and the blank brand of a file with a brand column clears it.
    let old = ok_json(app.get("/api/v1/products/IMP-OLD").await).await;
    assert_eq!(old["price_cents"], 1_250);
    assert_eq!(old["name"], "Product IMP-OLD");
    assert_eq!(old["brand"], Value::Null);
    assert_eq!(old["description"], "Refurbished");
    assert_eq!(old["version"], 2);
    // The search finds each by what the file wrote, and not by what it took away.
    for (text, found) in [
        ("braided", ["IMP-NEW-1"]),
        ("acme", ["IMP-NEW-1"]),
        ("refurb", ["IMP-OLD"]),
    ] {
        let skus: Vec<Value> = app
            .list_all(&format!("q={text}"))
            .await
            .iter()
            .map(|p| p["sku"].clone())
            .collect();
        assert_eq!(skus, found, "{text}");
    }
    testkit::eventually("the opening stock reaches the inventory", WAIT, || async {
        let stock = app.get("/api/v1/inventory/IMP-NEW-1").await;
        stock.status() == StatusCode::OK && stock.json::<Value>().await.unwrap()["totals"]["on_hand"] == 5
    })
    .await;
    let ledger = ok_json(app.get("/api/v1/inventory/IMP-NEW-1/movements").await).await;
    assert_eq!(ledger["items"].as_array().unwrap().len(), 1);
    assert_eq!(ledger["items"][0]["kind"], "count");
    assert!(
        ledger["items"][0]["note"]
            .as_str()
            .unwrap()
            .starts_with("opening stock"),
        "{ledger}"
    );

    // The same file again changes no product; the stock is already what it says.
    let again = ok_json(import(&app, good, false).await).await;
    assert_eq!(
        (&again["created"], &again["updated"], &again["unchanged"]),
        (&json!(0), &json!(0), &json!(3))
    );

    // A form upload works as well (what `curl -F file=@products.csv` sends).
    let form = format!(
        "--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"products.csv\"\r\n\
         content-type: text/csv\r\n\r\n{good}\r\n--XyZ--\r\n"
    );
    let uploaded = app
        .request(Method::POST, "/api/v1/imports/products?dry_run=true")
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(form)
        .send()
        .await
        .unwrap();
    let uploaded = ok_json(uploaded).await;
    assert_eq!(
        (&uploaded["rows"], &uploaded["unchanged"]),
        (&json!(3), &json!(3)),
        "{uploaded}"
    );

    // A file is sent as text/csv or in a form, and only managers import.
    let json_body = app
        .request(Method::POST, "/api/v1/imports/products")
        .json(&json!({"sku": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (clerk, _) = app.user_client("cal", "clerk").await;
    let by_clerk = clerk
        .post(format!("{base}/api/v1/imports/products"))
        .header("content-type", "text/csv")
        .body(good.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(by_clerk.status(), StatusCode::FORBIDDEN);
}

/// `serialized` and `warranty_months` columns set a product's serial numbers and warranty; a
/// cell that is not a flag or a number of months within range is named by line and column.
async fn serial_numbers_and_warranty_import_by_column(app: TestApp, _: Backing) {
    let good = "sku,name,category,price_cents,cost_cents,serialized,warranty_months\n\
                IMP-GPU,GPU 16 GB,GPUs,59900,51000,yes,36\n\
                IMP-CBL,Cable,Cables,499,100,,\n";
    let bad = good.replace("yes,36", "maybe,36").replace("100,,", "100,no,121");
    let checked = ok_json(import(&app, &bad, true).await).await;
    assert_eq!(
        cells(&checked["errors"]),
        [(2, "serialized".to_owned()), (3, "warranty_months".to_owned())],
        "{checked}"
    );
    let applied = import(&app, good, false).await;
    assert!(applied.status().is_success(), "{:?}", applied.text().await);
    let gpu = ok_json(app.get("/api/v1/products/IMP-GPU").await).await;
    assert_eq!(
        (gpu["serialized"].as_bool(), gpu["warranty_months"].as_i64()),
        (Some(true), Some(36))
    );
    let cable = ok_json(app.get("/api/v1/products/IMP-CBL").await).await;
    assert_eq!(
        (cable["serialized"].as_bool(), cable["warranty_months"].as_i64()),
        (Some(false), Some(0))
    );
    // Units with serial numbers are received with them, never counted in by an import.
    let stocked = "sku,name,category,price_cents,cost_cents,serialized,stock:main
                   IMP-SSD,SSD 2 TB,Storage,12900,9900,yes,4
                   IMP-USB,USB stick,Storage,999,400,no,4
";
    let refused = ok_json(import(&app, stocked, true).await).await;
    assert_eq!(
        cells(&refused["errors"]),
        [(2, "stock:main".to_owned())],
        "{refused}"
    );
}
