//! The inventory's vocabulary and rules, free of HTTP and SQL: a stock level and what it
//! holds, one change of stock, when a low-stock warning is due, how a reservation's lines are
//! merged.

use time::OffsetDateTime;

pub mod purchasing;
pub mod rma;
pub mod serials;

pub use kernel::serial::SerialNumber;
pub use kernel::states::AdjustmentReason;
pub use kernel::{FieldError, LocationCode, MovementKind, ReservationStatus};

/// The stock of one SKU at one location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    pub reserved: i64,
    /// Ordered from suppliers and not yet received.
    pub incoming: i64,
    pub low_stock_threshold: i64,
    pub reorder_quantity: i64,
    /// Whether a low-stock warning was sent for the current low period.
    pub warned: bool,
    /// Whether the threshold and reorder quantity follow the forecast.
    pub follows_forecast: bool,
    pub version: i64,
    pub updated_at: OffsetDateTime,
}

impl Level {
    /// What can still be sold: on hand, less what sales being recorded hold.
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
}

/// A SKU the inventory knows from the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub sku: String,
    pub name: String,
    /// False once the catalog archived it (no more alerts).
    pub active: bool,
    /// What a unit costs the shop now: its moving average cost, or the catalog's cost before
    /// the first costed receipt; none when neither is known.
    pub unit_cost_cents: Option<i64>,
    /// Whether each unit carries a serial number, and its warranty in months.
    pub tracking: Tracking,
}

/// Whether each unit of a SKU carries a serial number, and how long its warranty runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tracking {
    pub serialized: bool,
    pub warranty_months: i64,
}

/// What the inventory keeps of a catalog product, from the catalog's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProduct {
    pub sku: String,
    pub name: String,
    pub active: bool,
    /// Orders the catalog's events: an older version never overwrites a newer one.
    pub catalog_version: i64,
    /// Absent in events that carry none (an archive keeps the prices known).
    pub prices: Option<Prices>,
    /// What the SKU's stock settings start at, at each location (from ProductCreated).
    pub stock_defaults: Option<StockDefaults>,
    /// Absent in events that carry none (an archive keeps what is known).
    pub tracking: Option<Tracking>,
}

/// The low-stock threshold and reorder quantity a SKU's level starts with at a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockDefaults {
    pub low_stock_threshold: i64,
    pub reorder_quantity: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prices {
    pub price_cents: i64,
    pub cost_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub code: String,
    pub name: String,
    pub active: bool,
    /// Whether stock may go below zero here.
    pub allow_negative: bool,
}

/// One entry of the stock ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub id: i64,
    pub sku: String,
    pub location: String,
    pub kind: MovementKind,
    /// Signed change of on-hand.
    pub quantity: i64,
    pub on_hand_before: i64,
    pub on_hand_after: i64,
    pub reason: Option<AdjustmentReason>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub actor: Option<String>,
    pub created_at: OffsetDateTime,
}

/// What the stock on hand is worth. Levels below zero count as none; SKUs the inventory has
/// no prices for (known before prices were kept, and unchanged since) are counted in
/// `unpriced_skus` and left out of the sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockValue {
    pub at_cost_cents: kernel::Cents,
    pub at_price_cents: kernel::Cents,
    pub units: i64,
    pub skus: i64,
    pub unpriced_skus: i64,
}

/// How much a change moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    /// Add (or, negative, remove) this many.
    By(i64),
    /// Make on-hand exactly this (a stock take).
    To(i64),
}

/// Details of a restock, kept in the restock log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restock {
    pub supplier: Option<String>,
    pub unit_cost_cents: Option<i64>,
    pub reference: Option<String>,
}

/// Who made a change and the request it came from, for the ledger and the events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub actor: Option<String>,
    pub correlation_id: Option<String>,
}

/// One change of one level made by a person: a restock, an adjustment or a stock take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockChange {
    pub sku: String,
    pub location: LocationCode,
    pub amount: Amount,
    pub kind: MovementKind,
    pub reason: Option<AdjustmentReason>,
    pub note: Option<String>,
    pub restock: Option<Restock>,
    /// The units a change of a serialized SKU's stock moves, one per unit: received, found,
    /// written off, or every unit found on the shelf by a count.
    pub serials: Vec<SerialNumber>,
    pub origin: Origin,
}

/// Stock moved between two locations of one SKU, both levels or neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub sku: String,
    pub from: LocationCode,
    pub to: LocationCode,
    pub quantity: i64,
    /// One per unit moved, for a serialized SKU.
    pub serials: Vec<SerialNumber>,
    pub note: Option<String>,
    pub origin: Origin,
}

/// The low-stock settings of one level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelSettings {
    pub sku: String,
    pub location: LocationCode,
    pub low_stock_threshold: i64,
    pub reorder_quantity: i64,
    /// Whether the forecast sets them from now on.
    pub follows_forecast: bool,
    pub origin: Origin,
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub level: Level,
    /// `None` when nothing changed (a stock take found the count right, a zero adjustment).
    pub movement_id: Option<i64>,
    pub restock_id: Option<i64>,
}

/// A change of one level made in one statement with others (a sale's lines): units added to
/// on-hand and to reserved (either may be negative), and the level's warned flag afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelChange {
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub warned: bool,
}

/// One line of a reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationLine {
    pub sku: String,
    pub quantity: i64,
    /// The units held, one per unit, for a serialized SKU.
    pub serials: Vec<SerialNumber>,
}

/// Stock held for a sale while the sales service records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pub id: String,
    pub location: String,
    pub status: ReservationStatus,
    pub expires_at: OffsetDateTime,
    pub lines: Vec<ReservationLine>,
    /// What a unit of each line's SKU costs the shop as it is held (for the sale's cost of
    /// goods); SKUs without a known cost are left out.
    pub unit_costs: std::collections::BTreeMap<String, i64>,
}

/// A line that cannot be reserved: less is available than requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortage {
    pub sku: String,
    pub requested: i64,
    pub available: i64,
}

/// Lines with one entry per SKU (quantities and serials of repeated SKUs added up), in SKU
/// order: the order every transaction locks levels in, so two sales over the same SKUs never
/// deadlock.
pub fn merged(lines: &[ReservationLine]) -> Vec<ReservationLine> {
    let mut by_sku: std::collections::BTreeMap<&str, ReservationLine> = std::collections::BTreeMap::new();
    for line in lines {
        let merged = by_sku.entry(&line.sku).or_insert_with(|| ReservationLine {
            sku: line.sku.clone(),
            quantity: 0,
            serials: Vec::new(),
        });
        merged.quantity += line.quantity;
        merged.serials.extend(line.serials.iter().cloned());
    }
    by_sku.into_values().collect()
}

/// What a stock change made for an event comes from: when the event happened, and the request
/// that started it all, carried on to the events the change causes so that one sale can be
/// followed through every service's logs.
#[derive(Debug, Clone)]
pub struct Cause {
    pub at: OffsetDateTime,
    pub correlation_id: Option<String>,
}

/// The low-stock state of one level after a change, and whether the change crossed into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowStock {
    /// Whether a warning has been sent for the current low period.
    pub warned: bool,
    /// Whether this change must send a StockLevelWarning.
    pub warn_now: bool,
}

/// A warning is due when available stock is at or below the threshold and none was sent since
/// it last rose above it; rising above the threshold re-arms it. Archived products never warn.
pub fn low_stock(available: i64, threshold: i64, already_warned: bool, product_active: bool) -> LowStock {
    let low = available <= threshold;
    match (low, already_warned) {
        (true, false) => LowStock {
            warned: true,
            warn_now: product_active,
        },
        (true, true) => LowStock {
            warned: true,
            warn_now: false,
        },
        (false, _) => LowStock {
            warned: false,
            warn_now: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_one_sku_are_merged_in_sku_order() {
        let line = |sku: &str, quantity| ReservationLine {
            sku: sku.into(),
            quantity,
            serials: Vec::new(),
        };
        assert_eq!(
            merged(&[line("B", 1), line("A", 2), line("B", 3)]),
            [line("A", 2), line("B", 4)]
        );
    }

    #[test]
    fn a_warning_is_sent_once_per_crossing() {
        // Above the threshold: armed, no warning.
        let s = low_stock(10, 5, false, true);
        assert_eq!((s.warned, s.warn_now), (false, false));
        // Falls to the threshold: one warning.
        let s = low_stock(5, 5, s.warned, true);
        assert_eq!((s.warned, s.warn_now), (true, true));
        // Stays low: silent.
        let s = low_stock(2, 5, s.warned, true);
        assert_eq!((s.warned, s.warn_now), (true, false));
        // Rises above: re-armed; falls again: warns again.
        let s = low_stock(6, 5, s.warned, true);
        assert_eq!((s.warned, s.warn_now), (false, false));
        let s = low_stock(0, 5, s.warned, true);
        assert_eq!((s.warned, s.warn_now), (true, true));
        // Archived products never warn.
        assert!(!low_stock(0, 5, false, false).warn_now);
    }
}
