//! The counter's use cases: record a sale (priced from the catalog, its stock reserved in the
//! inventory, all lines or none), void it, take a return, and read sales and their figures.
//! No HTTP and no SQL: the upstreams and the store do the talking.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use events::sales::ReturnedLine;
use sales_api::shifts::ShiftStatus;
use sales_api::views::{Sale, Summary};
use web::Problem;

use catalog_api::shop::{ShopSettings, TaxRate};
use catalog_api::views::Product;
use inventory_api::reservations::ReserveLine;
use kernel::serial::SerialState;
use kernel::{Cents, Pricing};

use crate::domain::{
    self, FieldError, Offer, Payment, RefundDetails, RefundPolicy, SaleRequest, Tender, Terms, price, settle,
};
use crate::error::SaleError;
use crate::store::sales::NewSale;
use crate::store::{ListFilter, Origin, SalesStore};
use crate::upstream::{UpstreamError, Upstreams};

pub struct Counter {
    pub store: SalesStore,
    pub upstreams: Upstreams,
    /// How long the inventory holds a sale's stock while the sale is recorded.
    pub reservation_ttl: Duration,
    pub max_discount_percent: u32,
}

impl Counter {
    /// Prices the lines from the catalog, reserves their stock, then records the sale and its
    /// event in one transaction (with the sale as `key`'s answer); if recording fails the
    /// reservation is released (or expires).
    ///
    /// Discounts beyond the shop's limit need `approved_by`: a manager the gateway checked.
    pub async fn sell(
        &self,
        request: &SaleRequest,
        approved_by: Option<String>,
        key: Option<&str>,
        origin: &Origin,
    ) -> Result<Sale, SaleError> {
        let (products, (terms, shop)) =
            futures::future::try_join(self.products(request), self.terms()).await?;
        let offers = shop.offers(request, products)?;
        let priced = price(request, terms, |sku| offers[sku].clone()).map_err(SaleError::Validation)?;
        if !priced.beyond_limit.is_empty() && approved_by.is_none() {
            return Err(SaleError::ApprovalRequired(priced.beyond_limit));
        }
        // An approval is recorded only where it was needed.
        let approved_by = approved_by.filter(|_| !priced.beyond_limit.is_empty());
        self.check_shift(request, &shop.settings).await?;
        let customer = match &request.customer_id {
            Some(id) => Some(self.customer_for_sale(id).await?),
            None => request.customer.clone(),
        };
        let total = Cents::new(priced.totals.total_cents);
        let payments = match &request.tender {
            Tender::Whole(method) => vec![Payment {
                method: *method,
                amount: total,
            }],
            Tender::Split(payments) => payments.clone(),
        };
        let settlement = settle(total, payments).map_err(|e| SaleError::Validation(vec![e]))?;
        let id = uuid::Uuid::now_v7().to_string();
        let wanted: Vec<ReserveLine> = priced
            .lines
            .iter()
            .map(|l| ReserveLine {
                sku: l.sku.clone(),
                quantity: l.quantity,
                serials: l.serials.clone(),
            })
            .collect();
        let unit_costs = self.reserve(&id, &request.location, &wanted).await?;
        let new = NewSale {
            id: &id,
            request,
            priced: &priced,
            settlement: &settlement,
            customer,
            approved_by,
            unit_costs: &unit_costs,
        };
        match self.store.record(&new, key, origin).await {
            Ok(sale) => {
                metrics::counter!("sales_recorded_total", "payment_method" => sale.payment_method.as_str())
                    .increment(1);
                metrics::counter!("sales_revenue_cents_total").increment(sale.total_cents.max(0) as u64);
                Ok(sale)
            }
            Err(e) if e.may_have_been_recorded() => {
                tracing::warn!(sale = %id, error = %e, "the sale may have been recorded; its reservation is held until it expires");
                Err(e)
            }
            Err(e) => {
                if let Err(release) = self.upstreams.release(&id).await {
                    tracing::warn!(sale = %id, error = %release, "reservation not released; it expires on its own");
                }
                Err(e)
            }
        }
    }

    /// Whether prices include tax, and the discount limit.
    async fn terms(&self) -> Result<(Terms, ShopTerms), SaleError> {
        let (settings, rates) = self.upstreams.shop_terms().await.map_err(SaleError::from)?;
        let terms = Terms {
            pricing: Pricing::from_prices_include_tax(settings.prices_include_tax),
            max_discount_percent: self.max_discount_percent,
        };
        Ok((terms, ShopTerms { settings, rates }))
    }

    /// Every product of the request, from the catalog. A line whose SKU the catalog does not
    /// have, or has archived, is refused.
    async fn products(&self, request: &SaleRequest) -> Result<BTreeMap<String, Product>, SaleError> {
        let mut skus: Vec<&str> = request.lines.iter().map(|l| l.sku.as_str()).collect();
        skus.sort_unstable();
        skus.dedup();
        let fetched = futures::future::join_all(skus.iter().map(|sku| self.upstreams.product(sku))).await;
        let mut products = BTreeMap::new();
        let mut errors = Vec::new();
        for (sku, product) in skus.iter().zip(fetched) {
            match product? {
                Some(p) if p.active => {
                    products.insert(sku.to_string(), p);
                }
                found => {
                    let reason = if found.is_some() {
                        "is archived and cannot be sold"
                    } else {
                        "is not in the catalog"
                    };
                    for (i, line) in request.lines.iter().enumerate() {
                        if line.sku == *sku {
                            errors.push(FieldError::new(
                                format!("lines[{i}].sku"),
                                format!("{sku} {reason}"),
                            ));
                        }
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(products)
        } else {
            errors.sort_by(|a, b| a.field.cmp(&b.field));
            Err(SaleError::Validation(errors))
        }
    }

    /// A sale names an open shift at its own location, and must when the shop requires shifts.
    /// (Recording checks again that the shift is still open, under its lock.)
    async fn check_shift(&self, request: &SaleRequest, settings: &ShopSettings) -> Result<(), SaleError> {
        let Some(id) = &request.shift_id else {
            return if settings.require_shift {
                Err(SaleError::field(
                    "shift_id",
                    "is required: the shop sells only in an open shift of a till",
                ))
            } else {
                Ok(())
            };
        };
        let shift = self
            .store
            .shift(id)
            .await?
            .ok_or_else(|| SaleError::field("shift_id", "names no shift"))?;
        if shift.status != ShiftStatus::Open {
            return Err(SaleError::ShiftClosed(id.clone()));
        }
        if shift.location != request.location {
            return Err(SaleError::field(
                "shift_id",
                format!(
                    "is a shift of till {} at {}, not at {}",
                    shift.till, shift.location, request.location
                ),
            ));
        }
        Ok(())
    }

    /// The shop's rules for a refund asked by `actor` (approved by the manager the gateway
    /// checked, if any): clerks may give back up to the shop's limit without approval.
    async fn refund_policy(&self, actor: &web::Actor) -> Result<RefundPolicy, SaleError> {
        let settings = self.upstreams.shop_settings().await.map_err(SaleError::from)?;
        let role = actor.0.as_ref().map(|i| i.role.as_str());
        let free_up_to = matches!(role, Some("clerk") | Some("viewer") | None)
            .then(|| Cents::new(settings.approval_required_over_cents));
        Ok(RefundPolicy {
            free_up_to,
            approved_by: actor.approver(),
            require_shift: settings.require_shift,
        })
    }

    /// The name of the customer a sale is made to; refused unless they exist and are not
    /// archived.
    async fn customer_for_sale(&self, id: &str) -> Result<String, SaleError> {
        match self.store.customer(id).await? {
            Some(c) if !c.archived => Ok(c.name),
            Some(_) => Err(SaleError::field("customer_id", "names an archived customer")),
            None => Err(SaleError::field("customer_id", "names no customer of the shop")),
        }
    }

    /// Holds the lines' stock under the sale's id in the inventory; answers what a unit of
    /// each SKU costs the shop as it is held.
    async fn reserve(
        &self,
        id: &str,
        location: &str,
        wanted: &[ReserveLine],
    ) -> Result<BTreeMap<String, i64>, SaleError> {
        let reserved_at = Instant::now();
        let unit_costs = self
            .upstreams
            .reserve(id, location, wanted, self.reservation_ttl)
            .await
            .map_err(reservation_refused)?;
        // A reservation the inventory may already have given up on must not back a sale.
        if reserved_at.elapsed() > self.reservation_ttl / 2 {
            if let Err(e) = self.upstreams.release(id).await {
                tracing::warn!(sale = %id, error = %e, "late reservation not released; it expires on its own");
            }
            return Err(SaleError::SlowReservation);
        }
        Ok(unit_costs)
    }

    pub async fn get(&self, id: &str) -> Result<Sale, SaleError> {
        self.store
            .get(id)
            .await?
            .ok_or_else(|| SaleError::NotFound(id.to_owned()))
    }

    pub async fn list(
        &self,
        filter: &ListFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Sale>, SaleError> {
        Ok(self.store.list(filter, before, limit).await?)
    }

    pub async fn summary(&self, from_ms: i64, to_ms: i64) -> Result<Summary, SaleError> {
        self.store.summary(from_ms, to_ms).await
    }

    /// Voids a sale: every unit not yet returned comes back to stock, and its money back.
    pub async fn void(
        &self,
        id: &str,
        details: &RefundDetails,
        key: Option<&str>,
        (actor, origin): (&web::Actor, &Origin),
    ) -> Result<Sale, SaleError> {
        let policy = self.refund_policy(actor).await?;
        let sale = self.get(id).await?;
        if let Ok(update) = domain::void(&sale) {
            let back: Vec<ReturnedLine> = update.lines.into_iter().map(|l| l.returned).collect();
            self.check_units_sold(id, &back).await?;
        }
        self.store
            .update(id, key, origin, (details, &policy), domain::void)
            .await
    }

    /// Units named by serial number going back on the shelf must be sold units: one taken in
    /// for a warranty case is at the shop or its supplier already, and its customer's money
    /// comes back without it (`restock: false`).
    async fn check_units_sold(&self, sale_id: &str, lines: &[ReturnedLine]) -> Result<(), SaleError> {
        let named: Vec<(&str, &str)> = lines
            .iter()
            .filter(|l| l.restock)
            .flat_map(|l| l.serials.iter().map(|s| (l.sku.as_str(), s.as_str())))
            .collect();
        let states = futures::future::try_join_all(
            named
                .iter()
                .map(|(sku, serial)| self.upstreams.unit_state(sku, serial)),
        )
        .await?;
        let refusals: Vec<FieldError> = named
            .iter()
            .zip(states)
            .filter_map(|((sku, serial), unit)| match unit {
                Some((SerialState::Sold, sold_on)) if sold_on.as_deref() == Some(sale_id) => None,
                Some((SerialState::Sold, _)) => Some(FieldError::new(
                    "lines",
                    format!("{sku} {serial}: the unit is sold on another sale now"),
                )),
                Some((state, _)) => Some(FieldError::new(
                    "lines",
                    format!(
                        "{sku} {serial}: the unit is {state} (a warranty case); give the money back without restocking it"
                    ),
                )),
                None => Some(FieldError::new("lines", format!("{sku} {serial}: the inventory has no such unit"))),
            })
            .collect();
        if refusals.is_empty() {
            Ok(())
        } else {
            Err(SaleError::SerialsUnavailable(refusals))
        }
    }

    /// Takes back units of a sale, restocked or written off, with the sale as `key`'s answer.
    pub async fn return_lines(
        &self,
        id: &str,
        returned: &[ReturnedLine],
        details: &RefundDetails,
        key: Option<&str>,
        (actor, origin): (&web::Actor, &Origin),
    ) -> Result<Sale, SaleError> {
        let policy = self.refund_policy(actor).await?;
        // Units named by serial number are checked with the inventory first, once the return
        // itself is known to fit the sale (checked again under the sale's lock as it is recorded).
        if returned.iter().any(|l| l.restock && !l.serials.is_empty()) {
            let update = domain::return_lines(&self.get(id).await?, returned)?;
            let back: Vec<ReturnedLine> = update.lines.into_iter().map(|l| l.returned).collect();
            self.check_units_sold(id, &back).await?;
        }
        self.store
            .update(id, key, origin, (details, &policy), |sale| {
                domain::return_lines(sale, returned)
            })
            .await
    }
}

/// Why the inventory did not reserve, read from its problem's `type`: not enough stock (its
/// list of short lines is passed on), or fields it refused; anything else is the upstream's
/// failure.
fn reservation_refused(e: UpstreamError) -> SaleError {
    if let UpstreamError::Refused { body, .. } = &e {
        match Problem::received_slug(body) {
            Some("insufficient-stock") => {
                return SaleError::Insufficient(body.get("lines").cloned().unwrap_or_default());
            }
            Some("validation-failed") => return SaleError::Validation(reservation_refusals(body)),
            Some("serial-unavailable") => {
                return SaleError::SerialsUnavailable(reservation_refusals(body));
            }
            _ => {}
        }
    }
    e.into()
}

/// The inventory's `validation-failed` problem about a reservation, as the sale's own fields: a location problem is
/// the sale's `location`; anything about the lines is `lines` (the inventory numbers merged
/// lines, which are not the sale's). Read from the problem's `errors[].field`, never its words.
fn reservation_refusals(problem: &serde_json::Value) -> Vec<FieldError> {
    let errors = problem
        .get("errors")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let refusals: Vec<FieldError> = errors
        .iter()
        .map(|e| {
            let field = match e.get("field").and_then(serde_json::Value::as_str) {
                Some("location") => "location",
                _ => "lines",
            };
            let reason = e
                .get("reason")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("was refused by the inventory");
            FieldError::new(field, reason)
        })
        .collect();
    if refusals.is_empty() {
        vec![FieldError::new("lines", "was refused by the inventory")]
    } else {
        refusals
    }
}

/// The shop's settings and rates at the time of a sale.
struct ShopTerms {
    settings: ShopSettings,
    rates: Vec<TaxRate>,
}

impl ShopTerms {
    /// What each product is sold at: its name, its price and its tax rate (the product's, else
    /// the shop's default, else none), as they are now, so the sale keeps them.
    fn offers(
        &self,
        request: &SaleRequest,
        products: BTreeMap<String, Product>,
    ) -> Result<BTreeMap<String, Offer>, SaleError> {
        let mut offers = BTreeMap::new();
        let mut errors = Vec::new();
        for (sku, product) in products {
            let code = product
                .tax_rate
                .or_else(|| self.settings.default_tax_rate.clone());
            let rate = match &code {
                None => Some(kernel::TaxRate::ZERO),
                Some(code) => self.rates.iter().find(|r| &r.code == code).map(|r| r.rate_bp),
            };
            let Some(rate) = rate else {
                // The catalog never deletes a rate, so this is a catalog out of step; selling
                // without the tax would be wrong, so the line is refused.
                for (i, line) in request.lines.iter().enumerate() {
                    if line.sku == sku {
                        errors.push(FieldError::new(
                            format!("lines[{i}].sku"),
                            format!(
                                "{sku} names tax rate {}, which the shop does not have",
                                code.as_deref().unwrap_or("")
                            ),
                        ));
                    }
                }
                continue;
            };
            offers.insert(
                sku,
                Offer {
                    warranty_months: product.warranty_months,
                    name: product.name,
                    unit_price: Cents::new(product.price_cents),
                    tax_code: code,
                    tax_rate: rate,
                },
            );
        }
        if errors.is_empty() {
            Ok(offers)
        } else {
            Err(SaleError::Validation(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(sku: &str, tax_rate: Option<&str>) -> Product {
        serde_json::from_value(serde_json::json!({
            "sku": sku, "name": sku, "description": null, "category": "x", "brand": null,
            "price_cents": 1000, "cost_cents": 500, "barcode": null, "tax_rate": tax_rate,
            "active": true, "created_at": "2026-11-30T10:00:00Z", "updated_at": "2026-11-30T10:00:00Z",
            "version": 1
        }))
        .unwrap()
    }

    #[test]
    fn only_a_sale_known_not_to_be_recorded_gives_its_reservation_back_at_once() {
        let lost_with_the_connection = SaleError::Database(sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionReset,
        )));
        assert!(lost_with_the_connection.may_have_been_recorded());
        assert!(!SaleError::KeyAnswered.may_have_been_recorded());
        assert!(!SaleError::field("lines", "empty").may_have_been_recorded());
    }

    #[test]
    fn a_line_is_taxed_at_its_products_rate_else_the_default_and_never_at_an_unknown_one() {
        let shop = ShopTerms {
            settings: serde_json::from_value(serde_json::json!({
                "name": "x", "address": [], "tax_id": null, "currency": "EUR", "currency_minor_units": 2,
                "prices_include_tax": true, "default_tax_rate": "standard", "receipt_footer": null,
                "default_low_stock_threshold": 0, "default_reorder_quantity": 0,
                "updated_at": "2026-11-30T10:00:00Z", "version": 1
            }))
            .unwrap(),
            rates: serde_json::from_value(serde_json::json!([
                {"code": "standard", "name": "VAT", "rate_bp": 2000, "updated_at": "2026-11-30T10:00:00Z", "version": 1},
                {"code": "reduced", "name": "Reduced", "rate_bp": 500, "updated_at": "2026-11-30T10:00:00Z", "version": 1}
            ]))
            .unwrap(),
        };
        let input: sales_api::inputs::SaleInput = serde_json::from_value(serde_json::json!({
            "lines": [{"sku": "SKU-A", "quantity": 1}, {"sku": "SKU-B", "quantity": 1}, {"sku": "SKU-C", "quantity": 1}],
            "payment_method": "cash"
        }))
        .unwrap();
        let request = SaleRequest::parse(input).unwrap();
        let products = |c: Option<&str>| {
            BTreeMap::from([
                ("SKU-A".to_owned(), product("SKU-A", None)),
                ("SKU-B".to_owned(), product("SKU-B", Some("reduced"))),
                ("SKU-C".to_owned(), product("SKU-C", c)),
            ])
        };
        let offers = shop.offers(&request, products(None)).unwrap();
        assert_eq!(offers["SKU-A"].tax_code.as_deref(), Some("standard"));
        assert_eq!(offers["SKU-B"].tax_rate, kernel::TaxRate::from_bp(500.0).unwrap());
        // A rate the catalog no longer has: the line is refused, never sold untaxed.
        match shop.offers(&request, products(Some("gone"))) {
            Err(SaleError::Validation(errors)) => assert_eq!(errors[0].field, "lines[2].sku"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_inventory_refusal_names_the_sales_field_by_the_problems_field() {
        let problem = serde_json::json!({
            "type": "urn:inventory-tracker:problem:validation-failed",
            "errors": [{"field": "location", "reason": "there is no location lines-depot"}]
        });
        assert_eq!(
            reservation_refusals(&problem),
            [FieldError::new("location", "there is no location lines-depot")]
        );
        let problem = serde_json::json!({"errors": [{"field": "lines", "reason": "the catalog has no product with SKU LOCATION-1"}]});
        assert_eq!(reservation_refusals(&problem)[0].field, "lines");
    }
}
