//! Pagination cursors: where the next page starts. A listing in SKU order continues after the
//! last SKU of the previous page; a listing newest first continues before the last number
//! (receipt, movement) of the previous page. Clients pass `next_cursor` back unchanged; the
//! API document states exactly what a cursor may be (`schema::Sku`, `schema::NumberCursor`),
//! so nothing made up can look valid and be refused.

use crate::Problem;

fn invalid(what: &str) -> Problem {
    Problem::bad_request(
        "invalid-cursor",
        format!("The cursor must be {what}: pass the `next_cursor` of the previous page."),
    )
}

/// The SKU a page continues after.
pub fn after_sku(cursor: Option<&str>) -> Result<Option<String>, Problem> {
    cursor
        .map(|raw| {
            kernel::Sku::parse(raw)
                .map(kernel::Sku::into_string)
                .map_err(|_| invalid("a SKU"))
        })
        .transpose()
}

/// The number a page continues before.
pub fn before_number(cursor: Option<&str>) -> Result<Option<i64>, Problem> {
    cursor
        .map(|raw| {
            let digits = (1..=18).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit());
            digits
                .then(|| raw.parse().ok())
                .flatten()
                .ok_or_else(|| invalid("1 to 18 digits"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_what_the_document_says() {
        assert_eq!(after_sku(Some(" cpu-1 ")).unwrap(), Some("CPU-1".to_owned()));
        assert_eq!(after_sku(None).unwrap(), None);
        assert_eq!(after_sku(Some("%%%")).unwrap_err().status, 400);
        assert_eq!(before_number(Some("42")).unwrap(), Some(42));
        for bad in ["", "-1", "4x", "1234567890123456789"] {
            assert_eq!(before_number(Some(bad)).unwrap_err().status, 400, "{bad:?}");
        }
    }
}
