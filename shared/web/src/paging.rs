//! Paged listings: how many items a page holds, and cutting a page from one more row than
//! asked for (so whether a next page exists is known without counting).

use crate::Problem;

/// A page when the client names no size.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 200;

/// The page size a client asked for (`limit`), or the default; 400 outside 1 to
/// [`MAX_PAGE_SIZE`].
pub fn page_size(limit: Option<u32>) -> Result<u32, Problem> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if (1..=MAX_PAGE_SIZE).contains(&limit) {
        Ok(limit)
    } else {
        Err(Problem::bad_request(
            "invalid-query",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
        ))
    }
}

/// One page of `rows`, fetched with `limit + 1`: the first `limit` rows, and the cursor of the
/// next page (made from the last row kept) when there was one more.
pub fn cut<T>(mut rows: Vec<T>, limit: u32, cursor: impl Fn(&T) -> String) -> (Vec<T>, Option<String>) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(cursor) } else { None };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded_and_cut_with_their_next_cursor() {
        assert_eq!(page_size(None).unwrap(), DEFAULT_PAGE_SIZE);
        assert!(page_size(Some(0)).is_err() && page_size(Some(MAX_PAGE_SIZE + 1)).is_err());
        assert_eq!(
            cut(vec![1, 2, 3], 2, |n| n.to_string()),
            (vec![1, 2], Some("2".into()))
        );
        assert_eq!(cut(vec![1, 2], 2, |n| n.to_string()), (vec![1, 2], None));
    }
}
