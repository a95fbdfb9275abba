//! Quantities of stock: whole units, bounded so that no sum over them can overflow.

/// The most units one operation may move (a restock, an adjustment, a transfer), and the most
/// a stock take may count: far above any shop's stock of one item.
pub const MAX_MOVE: i64 = 1_000_000;

/// The most units one stock level may hold (or, where negative stock is allowed, owe):
/// low enough that sums over every level and their value at any price stay exact.
pub const MAX_LEVEL: i64 = 1_000_000_000;

/// Whether a level of `on_hand` units is within ±[`MAX_LEVEL`].
pub fn within_level_limit(on_hand: i64) -> bool {
    (-MAX_LEVEL..=MAX_LEVEL).contains(&on_hand)
}

/// Units moved in by one operation: 1 to [`MAX_MOVE`].
pub fn units_moved(value: i64) -> Result<i64, String> {
    if (1..=MAX_MOVE).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be between 1 and {MAX_MOVE}"))
    }
}

/// A change of stock by hand: at most [`MAX_MOVE`] either way; zero changes nothing.
pub fn change(value: i64) -> Result<i64, String> {
    if value.abs() > MAX_MOVE {
        Err(format!("must be between -{MAX_MOVE} and {MAX_MOVE}"))
    } else {
        Ok(value)
    }
}

/// A counted stock, a threshold or a reorder quantity: 0 to [`MAX_MOVE`].
pub fn counted(value: i64) -> Result<i64, String> {
    if (0..=MAX_MOVE).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be between 0 and {MAX_MOVE}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_bounded() {
        assert!(units_moved(0).is_err() && units_moved(-1).is_err());
        assert!(units_moved(MAX_MOVE + 1).is_err());
        assert_eq!(units_moved(5), Ok(5));
        assert!(change(-MAX_MOVE - 1).is_err() && change(MAX_MOVE + 1).is_err());
        assert_eq!(change(0), Ok(0));
        assert_eq!(change(-3), Ok(-3));
        assert_eq!(counted(0), Ok(0));
        assert!(counted(-1).is_err());
        assert!(within_level_limit(MAX_LEVEL) && !within_level_limit(MAX_LEVEL + 1));
    }
}
