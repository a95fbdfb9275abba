//! The made-up history on every backend: the reports count exactly the sales, returns and
//! voids it says it made, every grouping adds up to the same totals, and a database that
//! already holds figures is refused.

use reports::Reports;
use reports::generate::{Plan, generate};
use reports::store::Filter;
use reports_api::inputs::Grouping;
use storage::Db;
use testkit::TestDatabase;
use time::Duration;
use time::macros::date;

async fn made_up_history_reads_back(db: Db) {
    db.migrate(&reports::migrator(db.kind())).await.unwrap();
    let plan = Plan {
        end: date!(2026 - 12 - 01),
        days: 75,
        sales: 4_000,
        products: 300,
        seed: 5,
    };
    let made = generate(&db, &plan).await.unwrap();
    assert_eq!(made.sales, 4_000);
    assert!(made.returns > 0 && made.voids > 0, "{made:?}");

    let reports = Reports::new(db.clone());
    let filter = Filter {
        from: plan.end - Duration::days(74),
        to: plan.end,
        location: None,
    };
    let by_day = reports.sales(&filter, Grouping::Day).await.unwrap();
    let t = by_day.totals;
    assert_eq!(
        (t.sales as u64, t.returns as u64, t.voids as u64),
        (made.sales, made.returns, made.voids)
    );
    assert_eq!(by_day.rows.len(), 75, "a sale every day");
    assert!(t.cost_cents > 0 && t.gross_margin_cents > 0 && t.gross_margin_cents < t.kept_net_cents);
    assert!(t.approvals > 0);
    for by in Grouping::ALL {
        let report = reports.sales(&filter, by).await.unwrap();
        let sum = |f: fn(&reports_api::views::Figures) -> i64| {
            report.rows.iter().map(|r| f(&r.figures)).sum::<i64>()
        };
        assert_eq!(sum(|f| f.kept_net_cents), t.kept_net_cents, "{by:?}");
        assert_eq!(sum(|f| f.cost_cents), t.cost_cents, "{by:?}");
    }
    let by_product = reports.sales(&filter, Grouping::Product).await.unwrap();
    let best = &by_product.rows[0];
    assert!(best.label.contains(' '), "products carry names: {}", best.label);
    assert!(
        best.figures.kept_net_cents * 20 > t.kept_net_cents / 10,
        "a best seller stands out"
    );

    // The last day each product sold, found through the months, equals a plain scan of the
    // days, today and on a past mid-month day, everywhere and at one location.
    for (to, location) in [
        (plan.end, None),
        (plan.end - Duration::days(20), None),
        (plan.end - Duration::days(33), Some("north")),
    ] {
        let found = reports::store::last_sold(&db, to, location).await.unwrap();
        let scanned: std::collections::HashMap<String, String> = sqlx::query_as(
            "SELECT member, MAX(day) FROM reports_daily WHERE dimension = 'sku' AND location = ? \
             AND sales > 0 AND day <= ? GROUP BY member",
        )
        .bind(location.unwrap_or("*"))
        .bind(reports::store::day_key(to))
        .fetch_all(db.pool())
        .await
        .unwrap()
        .into_iter()
        .collect();
        assert!(scanned.len() > 150, "{}", scanned.len());
        assert_eq!(found, scanned, "{to} {location:?}");
    }

    let again = generate(&db, &plan).await;
    assert!(again.is_err(), "a database with figures is refused");
}

#[tokio::test]
async fn a_made_up_history_reads_back_on_sqlite() {
    made_up_history_reads_back(TestDatabase::sqlite().connect().await).await;
}

#[tokio::test]
async fn a_made_up_history_reads_back_on_mysql() {
    if let Some(db) = TestDatabase::mysql().await {
        made_up_history_reads_back(db.connect().await).await;
    }
}
