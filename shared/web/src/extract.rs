//! Extractors that answer bad input with a problem instead of axum's plain-text rejections.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::Problem;

/// `axum::Json`, with rejections as problems: 400 malformed JSON, 415 wrong content type,
/// 413 body too large, 422 JSON of the wrong shape.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(Problem))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query`, with rejections as 400 problems. Control characters (a NUL byte,
/// a newline, …) in any parameter are refused before the query is read: no search term or
/// filter needs one, and a NUL cuts a string short in some database drivers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(query) = parts.uri.query() {
            refuse_control_characters(query)?;
        }
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(value))
    }
}

/// 400 naming the first parameter of `query` (a raw query string) whose name or value holds
/// a control character once decoded.
fn refuse_control_characters(query: &str) -> Result<(), Problem> {
    let bad = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| name.chars().chain(value.chars()).any(char::is_control));
    match bad {
        None => Ok(()),
        Some((name, _)) => {
            let field = name.escape_debug().to_string();
            Err(Problem::bad_request(
                "invalid-query",
                format!("The query parameter `{field}` contains a control character."),
            )
            .errors(vec![crate::FieldProblem {
                field,
                reason: "must not contain control characters".into(),
            }]))
        }
    }
}

impl From<JsonRejection> for Problem {
    fn from(rejection: JsonRejection) -> Problem {
        match rejection {
            JsonRejection::JsonDataError(e) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
                "The JSON body does not have the expected shape",
            )
            .detail(source_text(&e)),
            JsonRejection::JsonSyntaxError(e) => Problem::bad_request("malformed-json", source_text(&e)),
            JsonRejection::MissingJsonContentType(_) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            )
            .detail("Send the body as JSON with `Content-Type: application/json`."),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
            other => Problem::bad_request("unreadable-body", other.body_text()),
        }
    }
}

impl From<QueryRejection> for Problem {
    fn from(rejection: QueryRejection) -> Problem {
        let detail = match &rejection {
            QueryRejection::FailedToDeserializeQueryString(e) => source_text(e),
            other => other.body_text(),
        };
        Problem::bad_request("invalid-query", detail)
    }
}

pub(crate) fn payload_too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload-too-large",
        "Request body too large",
    )
}

/// The innermost error message (serde's, which names the field), without axum's preamble.
fn source_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_a_query_are_refused() {
        for query in ["q=%00", "q=a%00zzzz", "q=line%0Abreak", "sku=A&note=%7F", "%01=x"] {
            assert!(refuse_control_characters(query).is_err(), "{query}");
        }
        for query in ["q=gr%C3%A4fik", "q=a+b&limit=5", "q=", "q=%25"] {
            assert!(refuse_control_characters(query).is_ok(), "{query}");
        }
    }
}
