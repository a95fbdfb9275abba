//! Lists as CSV, streamed page by page so that memory stays flat however long they are: a
//! header row, then each page the caller reads after the previous one's cursor, until a page
//! comes back without a next cursor. Fields are quoted as RFC 4180 wants (the `csv` crate).

use std::future::Future;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

/// One page of rows, and the cursor of the next page (none: this was the last).
pub type Page<C> = (Vec<Vec<String>>, Option<C>);

/// A `text/csv` attachment named `filename`: `header`, then the rows of every page `next`
/// reads, starting from cursor `None`. A page that fails ends the body with an error, so the
/// client sees a broken download rather than a short file.
pub fn response<C, E, F, Fut>(filename: &str, header: &[&str], next: F) -> Response
where
    C: Send + 'static,
    E: std::fmt::Display + Send + 'static,
    F: Fn(Option<C>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<C>, E>> + Send + 'static,
{
    let first = Bytes::from(row(header.iter().map(|h| h.to_string())));
    let next = std::sync::Arc::new(next);
    let pages = futures::stream::unfold(Some(None::<C>), move |state| {
        let next = next.clone();
        async move {
            let cursor = state?;
            match next(cursor).await {
                Ok((rows, cursor)) => {
                    let mut chunk = Vec::new();
                    for fields in rows {
                        chunk.extend(row(fields.into_iter()));
                    }
                    Some((Ok::<Bytes, std::io::Error>(Bytes::from(chunk)), cursor.map(Some)))
                }
                Err(e) => {
                    tracing::error!(error = %e, "a CSV export failed midway");
                    Some((Err(std::io::Error::other("the export failed midway")), None))
                }
            }
        }
    });
    let body = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(first) }).chain(pages);
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// One CSV record, ending with a line break.
pub fn row(fields: impl Iterator<Item = String>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(fields.collect::<Vec<_>>())
        .expect("writing to memory cannot fail");
    writer.into_inner().expect("writing to memory cannot fail")
}

/// An optional value as a field: empty when there is none.
pub fn field<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_csv_wants() {
        let text = String::from_utf8(row(["A-1", "Cable, 1 m", "say \"hi\"", "two\nlines"]
            .iter()
            .map(|s| s.to_string())))
        .unwrap();
        assert_eq!(text, "A-1,\"Cable, 1 m\",\"say \"\"hi\"\"\",\"two\nlines\"\n");
    }

    #[tokio::test]
    async fn every_page_follows_the_header_until_one_has_no_next() {
        let response = response("n.csv", &["n"], |cursor: Option<u32>| async move {
            let from = cursor.unwrap_or(0);
            let rows = (from..from + 2).map(|n| vec![n.to_string()]).collect();
            Ok::<_, std::convert::Infallible>((rows, (from < 4).then_some(from + 2)))
        });
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/csv; charset=utf-8"
        );
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        assert_eq!(std::str::from_utf8(&body).unwrap(), "n\n0\n1\n2\n3\n4\n5\n");
    }
}
