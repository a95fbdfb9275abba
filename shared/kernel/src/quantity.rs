//! Bounds of stock quantities.

/// The most units one stock level may hold (or, where negative stock is allowed, owe):
/// far above any shop's stock of one item, and low enough that sums over every level and
/// their value at any price stay exact.
pub const MAX_LEVEL: i64 = 1_000_000_000;

/// Whether a level of `on_hand` units is within ±[`MAX_LEVEL`].
pub fn within_level_limit(on_hand: i64) -> bool {
    (-MAX_LEVEL..=MAX_LEVEL).contains(&on_hand)
}
