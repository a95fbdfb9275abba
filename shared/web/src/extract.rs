//! Extractors that answer bad input with a problem instead of axum's plain-text rejections.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::Problem;

/// A JSON request body (and a JSON answer), with rejections as problems: 415 wrong content
/// type, 413 body too large, 400 malformed JSON, 422 JSON of the wrong shape.
///
/// A number with a zero fraction (`3.0`) is read as the integer it is, as JSON Schema counts
/// it: a client (or a generator) writing integers as floats is not refused for it. Written by
/// hand around serde_json because `axum::Json` reads straight into the target type, where
/// serde refuses `3.0` for an integer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            )
            .detail("Send the body as JSON with `Content-Type: application/json`."));
        }
        let body = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                payload_too_large()
            } else {
                Problem::bad_request("unreadable-body", rejection.body_text())
            }
        })?;
        let mut value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| Problem::bad_request("malformed-json", e.to_string()))?;
        // Every body of this API is an object; serde would also read a struct from an array
        // of its fields in order, which no client means to send.
        if !value.is_object() {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
                "The JSON body does not have the expected shape",
            )
            .detail("The body must be a JSON object."));
        }
        whole_numbers_as_integers(&mut value);
        T::deserialize(value).map(Json).map_err(|e| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
                "The JSON body does not have the expected shape",
            )
            .detail(e.to_string())
        })
    }
}

/// `Content-Type: application/json`, or another `application/…+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Replaces every float with a zero fraction that fits an `i64` by that integer.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) if number.is_f64() => {
            let float = number.as_f64().unwrap_or(f64::NAN);
            // i64::MAX is not exactly a float; 2^63 is the first float beyond the range.
            if float.fract() == 0.0 && float >= -(2f64.powi(63)) && float < 2f64.powi(63) {
                *value = serde_json::Value::from(float as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        serde_json::Value::Object(members) => members.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

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

/// A text query parameter (a search term, a filter): trimmed, blank means none, at most
/// `max` characters as sent (`web::schema::Line`), else 400.
pub fn query_text(name: &str, raw: Option<String>, max: usize) -> Result<Option<String>, Problem> {
    let Some(raw) = raw else { return Ok(None) };
    kernel::text::line(&raw, max).map_err(|reason| {
        Problem::bad_request("invalid-query", format!("The query parameter `{name}` {reason}.")).errors(vec![
            crate::FieldProblem {
                field: name.to_owned(),
                reason,
            },
        ])
    })
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
    fn whole_floats_are_read_as_integers() {
        let mut value = serde_json::json!({"a": 3.0, "b": [1.5, -2.0, 1e300], "c": "4.0", "d": 7});
        whole_numbers_as_integers(&mut value);
        assert_eq!(
            value,
            serde_json::json!({"a": 3, "b": [1.5, -2, 1e300], "c": "4.0", "d": 7})
        );
        let mut huge = serde_json::json!(9.3e18);
        whole_numbers_as_integers(&mut huge);
        assert!(
            huge.is_f64(),
            "beyond i64 stays a float, and an i64 field refuses it"
        );
    }

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
