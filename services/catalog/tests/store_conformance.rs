//! The catalog store's conformance suite: every test runs on every database engine, so the
//! one code path really behaves the same on SQLite and MySQL/MariaDB.

use catalog::domain::{ProductDraft, ProductInput};
use catalog::product::{Product, ProductRecord};
use catalog::store::{ActiveFilter, ListFilter, ProductStore, StoreError};
use events::Envelope;
use events::catalog::ProductCreated;
use storage::DatabaseKind;
use testkit::TestDatabase;
use time::OffsetDateTime;

/// Generates one `#[tokio::test]` per engine for each listed async fn taking a `ProductStore`.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::run(storage::DatabaseKind::Sqlite, super::$name).await }) *
        }
        mod mysql {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() { super::run(storage::DatabaseKind::MySql, super::$name).await }) *
        }
    };
}

conformance!(
    insert_then_get_round_trips_every_field,
    the_outbox_row_commits_with_the_change,
    duplicate_sku_and_barcode_are_told_apart,
    a_revision_checks_the_version,
    concurrent_updates_of_one_version_let_exactly_one_win,
    listing_pages_in_sku_order_without_gaps_or_repeats,
    listing_filters_by_text_category_active_and_barcode,
    a_search_finds_rare_and_common_text_as_revisions_left_it,
    a_search_finds_queued_products_before_and_after_their_index_is_written,
    categories_count_active_products,
);

async fn run<F, Fut>(kind: DatabaseKind, test: F)
where
    F: FnOnce(ProductStore) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(database) = TestDatabase::create(kind).await else {
        return;
    };
    let db = database.connect().await;
    db.migrate(&catalog::migrator(kind))
        .await
        .expect("migrations apply");
    // Migrating twice is a no-op.
    db.migrate(&catalog::migrator(kind))
        .await
        .expect("migrations are idempotent");
    test(ProductStore::new(db.clone())).await;
    db.close().await;
}

fn at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap()
}

fn product(sku: &str, name: &str, category: &str, barcode: Option<&str>) -> Product {
    let draft = ProductDraft::from_input(ProductInput {
        sku: Some(sku.into()),
        name: Some(name.into()),
        description: Some(format!("{name} — fast & quiet, 100% tested")),
        category: Some(category.into()),
        brand: Some("Acme".into()),
        price_cents: Some(12_345),
        cost_cents: Some(9_000),
        barcode: barcode.map(str::to_owned),
        tax_rate: None,
        active: Some(true),
        // Stored and read back like every other field.
        serialized: Some(true),
        warranty_months: Some(24),
    })
    .expect("valid test product");
    draft.first_version(at(1_764_000_000_123))
}

fn created(p: &Product) -> Envelope {
    Envelope::new(
        "catalog",
        None,
        p.created_at,
        &ProductCreated {
            product: p.snapshot(),
            stock_defaults: None,
        },
    )
}

/// Writes `revised` as the next version of its product, whatever the stored row is: the
/// store's own version check decides.
async fn write(store: &ProductStore, revised: &Product) -> Result<(), StoreError> {
    store
        .modify(&revised.sku, |_| Ok(Some((revised.clone(), created(revised)))))
        .await
        .map(|_| ())
}

async fn insert_then_get_round_trips_every_field(store: ProductStore) {
    let mut p = product(
        "GPU-RTX-4070S",
        "Grafikkarte Ü — 12 GB 🚀",
        "Graphics Cards",
        Some("4006381333931"),
    );
    p.brand = None;
    store.insert(&p, &created(&p)).await.unwrap();
    let read = store.get("GPU-RTX-4070S").await.unwrap().expect("stored");
    assert_eq!(read, p);
    assert_eq!(store.get("NOPE").await.unwrap(), None);
}

async fn the_outbox_row_commits_with_the_change(store: ProductStore) {
    let p = product("CPU-1", "CPU one", "CPUs", None);
    store.insert(&p, &created(&p)).await.unwrap();
    assert_eq!(store.outbox().pending(store.db()).await.unwrap(), 1);
    // A failed insert writes no event either.
    let again = product("CPU-1", "CPU one again", "CPUs", None);
    assert!(matches!(
        store.insert(&again, &created(&again)).await,
        Err(StoreError::DuplicateSku(_))
    ));
    assert_eq!(store.outbox().pending(store.db()).await.unwrap(), 1);
    // A failed update (stale version) writes no event.
    let mut stale = p.revised(&p.draft(), at(1_764_000_000_999));
    stale.version = 5;
    assert!(write(&store, &stale).await.is_err());
    assert_eq!(store.outbox().pending(store.db()).await.unwrap(), 1);
}

async fn duplicate_sku_and_barcode_are_told_apart(store: ProductStore) {
    let a = product("RAM-32", "RAM", "Memory", Some("036000291452"));
    store.insert(&a, &created(&a)).await.unwrap();
    let same_sku = product("RAM-32", "Other", "Memory", None);
    assert!(matches!(
        store.insert(&same_sku, &created(&same_sku)).await,
        Err(StoreError::DuplicateSku(_))
    ));
    let same_both = product("RAM-32", "Other", "Memory", Some("036000291452"));
    assert!(matches!(
        store.insert(&same_both, &created(&same_both)).await,
        Err(StoreError::DuplicateSku(_))
    ));
    let same_barcode = product("RAM-64", "Other", "Memory", Some("036000291452"));
    assert!(matches!(
        store.insert(&same_barcode, &created(&same_barcode)).await,
        Err(StoreError::DuplicateBarcode)
    ));
    // Many products may have no barcode.
    for sku in ["NB-1", "NB-2"] {
        let p = product(sku, "No barcode", "Memory", None);
        store.insert(&p, &created(&p)).await.unwrap();
    }
    // Changing a barcode to one in use is refused too.
    let nb1 = store.get("NB-1").await.unwrap().unwrap();
    let mut draft = nb1.draft();
    draft.barcode = a.draft().barcode;
    let revised = nb1.revised(&draft, at(1_764_000_001_000));
    assert!(matches!(
        write(&store, &revised).await,
        Err(StoreError::DuplicateBarcode)
    ));
}

async fn a_revision_checks_the_version(store: ProductStore) {
    let p = product("PSU-750", "PSU", "Power Supplies", None);
    store.insert(&p, &created(&p)).await.unwrap();
    let mut draft = p.draft();
    draft.price = catalog::domain::Cents::parse(9_999).unwrap();
    let v2 = p.revised(&draft, at(1_764_000_002_000));
    write(&store, &v2).await.unwrap();
    assert_eq!(store.get("PSU-750").await.unwrap().unwrap(), v2);
    // Based on version 1 again: refused, and told the current version.
    assert!(matches!(
        write(&store, &v2).await,
        Err(StoreError::VersionMismatch { current: 2 })
    ));
    let never_stored = product("GHOST", "Ghost", "None", None);
    let ghost = never_stored.revised(&never_stored.draft(), at(1));
    assert!(matches!(
        write(&store, &ghost).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn concurrent_updates_of_one_version_let_exactly_one_win(store: ProductStore) {
    let p = product("RACE-1", "Race", "Cooling", None);
    store.insert(&p, &created(&p)).await.unwrap();
    let attempts = (0..50).map(|i| {
        let store = store.clone();
        let mut draft = p.draft();
        draft.price = catalog::domain::Cents::parse(10_000 + i).unwrap();
        let revised = p.revised(&draft, at(1_764_000_003_000 + i));
        tokio::spawn(async move { write(&store, &revised).await })
    });
    let results = futures::future::join_all(attempts).await;
    let won = results.iter().filter(|r| matches!(r, Ok(Ok(())))).count();
    let lost = results
        .iter()
        .filter(|r| matches!(r, Ok(Err(StoreError::VersionMismatch { current: 2 }))))
        .count();
    assert_eq!((won, lost), (1, 49), "{results:?}");
    assert_eq!(store.get("RACE-1").await.unwrap().unwrap().version, 2);
    // One creation event plus exactly one update event.
    assert_eq!(store.outbox().pending(store.db()).await.unwrap(), 2);
}

async fn listing_pages_in_sku_order_without_gaps_or_repeats(store: ProductStore) {
    let mut skus: Vec<String> = (0..23).map(|i| format!("SKU-{:03}", (i * 7) % 23)).collect();
    for sku in &skus {
        let p = product(sku, "Item", "Peripherals", None);
        store.insert(&p, &created(&p)).await.unwrap();
    }
    skus.sort();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .list(&ListFilter::default(), after.as_deref(), 5)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|p| p.sku.clone());
        seen.extend(page.into_iter().map(|p| p.sku));
    }
    assert_eq!(seen, skus);
}

async fn listing_filters_by_text_category_active_and_barcode(store: ProductStore) {
    let fixtures = [
        ("MON-27", "Dell UltraSharp 27", "Monitors"),
        ("MON-32", "LG 32 inch 4K", "Monitors"),
        ("KB-1", "Keychron K2 keyboard", "Peripherals"),
        ("SALE-50", "Mouse pad 50% off", "Peripherals"),
        ("SALE-5X", "Mouse pad 5X", "Peripherals"),
    ];
    for (sku, name, category) in fixtures {
        let p = product(sku, name, category, None);
        store.insert(&p, &created(&p)).await.unwrap();
    }
    let skus = |products: Vec<Product>| products.into_iter().map(|p| p.sku).collect::<Vec<_>>();
    let search = |text: &str| ListFilter {
        text: Some(text.into()),
        ..ListFilter::default()
    };
    assert_eq!(
        skus(store.list(&search("ultrasharp"), None, 50).await.unwrap()),
        ["MON-27"]
    );
    assert_eq!(
        skus(store.list(&search("mon-3"), None, 50).await.unwrap()),
        ["MON-32"]
    );
    // `%` and `_` are text, not wildcards.
    assert_eq!(
        skus(store.list(&search("50%"), None, 50).await.unwrap()),
        ["SALE-50"]
    );
    assert!(store.list(&search("5_"), None, 50).await.unwrap().is_empty());
    // Description and brand are searched too.
    assert_eq!(store.list(&search("acme"), None, 50).await.unwrap().len(), 5);
    let monitors = ListFilter {
        category: Some("monitors".into()),
        ..ListFilter::default()
    };
    assert_eq!(
        skus(store.list(&monitors, None, 50).await.unwrap()),
        ["MON-27", "MON-32"]
    );

    let kb = store.get("KB-1").await.unwrap().unwrap();
    let mut draft = kb.draft();
    draft.active = false;
    let archived = kb.revised(&draft, at(1_764_000_004_000));
    write(&store, &archived).await.unwrap();
    let peripherals = |active| ListFilter {
        category: Some("Peripherals".into()),
        active,
        ..ListFilter::default()
    };
    assert_eq!(
        skus(
            store
                .list(&peripherals(ActiveFilter::Active), None, 50)
                .await
                .unwrap()
        ),
        ["SALE-50", "SALE-5X"]
    );
    assert_eq!(
        skus(
            store
                .list(&peripherals(ActiveFilter::Archived), None, 50)
                .await
                .unwrap()
        ),
        ["KB-1"]
    );
    assert_eq!(
        store
            .list(&peripherals(ActiveFilter::Any), None, 50)
            .await
            .unwrap()
            .len(),
        3
    );

    // The counter's scanner finds a product by its exact barcode.
    let cable = product("USB-C1", "USB-C cable", "Cables", Some("4006381333931"));
    store.insert(&cable, &created(&cable)).await.unwrap();
    let scanned = |code: &str| ListFilter {
        barcode: Some(code.into()),
        ..ListFilter::default()
    };
    assert_eq!(
        skus(store.list(&scanned("4006381333931"), None, 50).await.unwrap()),
        ["USB-C1"]
    );
    assert!(
        store
            .list(&scanned("400638133393"), None, 50)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A rare text is found through SQLite's search index, a text more than 2,000 products hold by
/// reading in SKU order; both find what the last revision wrote and nothing it took away.
async fn a_search_finds_rare_and_common_text_as_revisions_left_it(store: ProductStore) {
    for i in 0..2_001 {
        let p = product(&format!("BULK-{i:04}"), &format!("Bulk part {i}"), "Parts", None);
        store.insert(&p, &created(&p)).await.unwrap();
    }
    let gizmo = product("ZZZ-1", "Rare gizmo", "Parts", Some("4006381333931"));
    store.insert(&gizmo, &created(&gizmo)).await.unwrap();
    let search = |text: &str| ListFilter {
        text: Some(text.into()),
        ..ListFilter::default()
    };
    let skus = |products: Vec<Product>| products.into_iter().map(|p| p.sku).collect::<Vec<_>>();

    let common = store.list(&search("BULK PART"), None, 50).await.unwrap();
    assert_eq!(
        skus(common),
        (0..50).map(|i| format!("BULK-{i:04}")).collect::<Vec<_>>()
    );
    let last_page = store
        .list(&search("bulk part"), Some("BULK-1990"), 50)
        .await
        .unwrap();
    assert_eq!(skus(last_page).len(), 10);
    assert_eq!(
        skus(store.list(&search("part 2000"), None, 50).await.unwrap()),
        ["BULK-2000"]
    );
    assert_eq!(
        skus(store.list(&search("gizmo"), None, 50).await.unwrap()),
        ["ZZZ-1"]
    );
    assert_eq!(
        skus(store.list(&search("3813339"), None, 50).await.unwrap()),
        ["ZZZ-1"]
    );
    // No match spans two fields: the name's end and the description's start.
    assert!(
        store
            .list(&search("gizmorare"), None, 50)
            .await
            .unwrap()
            .is_empty()
    );
    // A quote is text.
    assert!(store.list(&search("\"gizmo"), None, 50).await.unwrap().is_empty());

    let mut draft = gizmo.draft();
    draft.name = "Common thing".into();
    draft.description = None;
    draft.barcode = None;
    write(&store, &gizmo.revised(&draft, at(1_764_000_004_000)))
        .await
        .unwrap();
    assert!(store.list(&search("gizmo"), None, 50).await.unwrap().is_empty());
    assert!(store.list(&search("3813339"), None, 50).await.unwrap().is_empty());
    assert_eq!(
        skus(store.list(&search("common thing"), None, 50).await.unwrap()),
        ["ZZZ-1"]
    );
}

/// An import queues its products for the search index (MySQL's trigrams; SQLite keeps its own
/// by triggers): a search finds them by their new text while they wait, with few or with more
/// queued than the index may name, and after the indexer wrote them, not by their old text.
async fn a_search_finds_queued_products_before_and_after_their_index_is_written(store: ProductStore) {
    let db = store.db().clone();
    for i in 0..2_001 {
        let p = product(&format!("Q-{i:04}"), &format!("Widget {i}"), "Parts", None);
        store.insert(&p, &created(&p)).await.unwrap();
    }
    let index_all = || async {
        let mut written = 0;
        loop {
            match catalog::search_grams::index_pending(&db, 500).await.unwrap() {
                0 => return written,
                batch => written += batch,
            }
        }
    };
    // Created one by one, the products were queued too.
    let expected = if db.kind() == DatabaseKind::MySql {
        2_001
    } else {
        0
    };
    assert_eq!(index_all().await, expected, "created products queued");
    let search = |text: &str| ListFilter {
        text: Some(text.into()),
        ..ListFilter::default()
    };
    let found = |text: &'static str, after: Option<&'static str>| {
        let store = &store;
        async move {
            let page = store.list(&search(text), after, 50).await.unwrap();
            page.into_iter().map(|p| p.sku).collect::<Vec<_>>()
        }
    };
    // What an import does: rewrites the products and queues them, in one transaction.
    let queue = |skus: Vec<String>, name: &'static str| {
        let db = db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            for sku in &skus {
                sqlx::query("UPDATE catalog_products SET name = ? WHERE sku = ?")
                    .bind(name)
                    .bind(sku.clone())
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            let skus: Vec<&str> = skus.iter().map(String::as_str).collect();
            catalog::search_grams::queue(&mut tx, db.kind(), &skus)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    };
    queue(vec!["Q-0007".into()], "Quasar lamp").await;
    assert_eq!(found("quasar", None).await, ["Q-0007"]);
    assert_eq!(
        found("widget 7", None).await.len(),
        50,
        "the description is unchanged"
    );

    // More queued than the index may name: the catalog is read in SKU order.
    queue((0..2_001).map(|i| format!("Q-{i:04}")).collect(), "Nebula lamp").await;
    assert_eq!(found("nebula", Some("Q-1990")).await.len(), 10);
    assert!(found("quasar", None).await.is_empty());

    assert_eq!(index_all().await, expected, "queued products indexed");
    assert_eq!(found("nebula", Some("Q-1990")).await.len(), 10);
    assert!(found("quasar", None).await.is_empty());
    assert_eq!(found("widget 1234", None).await, ["Q-1234"]);
    // Page after page in SKU order, read through the index's order on MySQL.
    let first = found("widget 12", None).await;
    let last = first.last().unwrap().clone();
    let rest = store.list(&search("widget 12"), Some(&last), 100).await.unwrap();
    let pages: Vec<String> = first.into_iter().chain(rest.into_iter().map(|p| p.sku)).collect();
    let expected: Vec<String> = std::iter::once(12)
        .chain(120..130)
        .chain(1_200..1_300)
        .map(|i| format!("Q-{i:04}"))
        .collect();
    assert_eq!(pages, expected);
    if db.kind() == DatabaseKind::MySql {
        let grams: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM catalog_search_grams WHERE gram = 'neb'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(grams, 2_001);
    }
}

async fn categories_count_active_products(store: ProductStore) {
    for (sku, category) in [
        ("A-1", "Storage"),
        ("A-2", "storage"),
        ("A-3", "Cooling"),
        ("A-4", "Cables"),
    ] {
        let p = product(sku, "Item", category, None);
        store.insert(&p, &created(&p)).await.unwrap();
    }
    let a4 = store.get("A-4").await.unwrap().unwrap();
    let mut draft = a4.draft();
    draft.active = false;
    let archived = a4.revised(&draft, at(1_764_000_005_000));
    write(&store, &archived).await.unwrap();
    let categories: Vec<(String, i64)> = store
        .categories()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.name.to_lowercase(), c.product_count))
        .collect();
    assert_eq!(categories, [("cooling".to_owned(), 1), ("storage".to_owned(), 2)]);
}
