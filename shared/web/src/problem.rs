//! RFC 9457 problem details: the one shape of every error the API returns.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// The members every problem may carry (RFC 9457 and this API's `errors`); an extension
/// never takes one of these names.
pub const STANDARD_MEMBERS: [&str; 6] = ["type", "title", "status", "detail", "instance", "errors"];

/// Prefix of every problem `type`; the rest is a stable slug clients can match on.
const TYPE_PREFIX: &str = "urn:inventory-tracker:problem:";

/// One bad field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub reason: String,
}

/// An error as the client sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({
    "type": "urn:inventory-tracker:problem:validation-failed",
    "title": "The request has invalid fields",
    "status": 422,
    "errors": [{"field": "price_cents", "reason": "must not be negative"}]
}))]
pub struct Problem {
    /// Stable, machine-readable kind of error: `urn:inventory-tracker:problem:<slug>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Every invalid field, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Problem-specific members, e.g. the current version on a conflict. Set only through
    /// [`Problem::extension`], which keeps them apart from the members above.
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(value_type = Object)]
    extensions: serde_json::Map<String, serde_json::Value>,
    #[serde(skip)]
    retry_after_secs: Option<u64>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: impl Into<String>) -> Problem {
        Problem {
            problem_type: format!("{TYPE_PREFIX}{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
            extensions: serde_json::Map::new(),
            retry_after_secs: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = Some(detail.into());
        self
    }

    pub fn errors(mut self, errors: Vec<FieldProblem>) -> Problem {
        self.errors = errors;
        self
    }

    /// Adds a problem-specific member.
    ///
    /// # Panics
    /// When `key` is one of the standard members ([`STANDARD_MEMBERS`]): the body would carry
    /// that member twice, which JSON parsers resolve differently. A programming error, found
    /// by any test that provokes the problem.
    pub fn extension(mut self, key: &str, value: impl Serialize) -> Problem {
        assert!(
            !STANDARD_MEMBERS.contains(&key),
            "problem extension `{key}` would repeat a standard member"
        );
        let value = serde_json::to_value(value).expect("problem extensions serialize to JSON");
        self.extensions.insert(key.to_owned(), value);
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Problem {
        self.retry_after_secs = Some(seconds);
        self
    }

    /// The slug of the `type`, e.g. `validation-failed`.
    pub fn slug(&self) -> &str {
        self.problem_type.trim_start_matches(TYPE_PREFIX)
    }

    /// The slug of a problem another service answered, read from its JSON body; none when the
    /// body is not one of this system's problems.
    pub fn received_slug(body: &serde_json::Value) -> Option<&str> {
        body.get("type")?.as_str()?.strip_prefix(TYPE_PREFIX)
    }

    pub fn validation(errors: Vec<FieldProblem>) -> Problem {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            "The request has invalid fields",
        )
        .errors(errors)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found").detail(detail)
    }

    pub fn bad_request(slug: &str, detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, slug, "Bad request").detail(detail)
    }

    /// A 500 that tells the client nothing about the cause (which is logged instead).
    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "Internal server error",
        )
        .detail("The server failed to handle the request; it has been logged.")
    }

    /// 409 for a request whose idempotency key another request holds or has just answered:
    /// asking again gets that request's answer.
    pub fn idempotency_key_in_use() -> Problem {
        Problem::new(
            StatusCode::CONFLICT,
            "idempotency-key-in-use",
            "A request with this key is still running",
        )
        .detail("Retry after it finished; you will get its answer.")
        .retry_after(1)
    }

    /// 422 for a figure (a sum, a value) too large to be represented: the request is fine,
    /// but its answer cannot be given exactly, and a wrong number is worse than none.
    pub fn too_large(figure: &str) -> Problem {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "result-too-large",
            "Result too large",
        )
        .detail(format!(
            "{figure} is beyond {} cents or units, the largest the API represents; narrow the request (e.g. one location or a shorter period).",
            i64::MAX
        ))
    }

    pub fn unavailable(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service-unavailable",
            "Service unavailable",
        )
        .detail(detail)
    }

    /// The generic problem for a status produced outside a handler (e.g. 405, 408).
    pub fn from_status(status: StatusCode) -> Problem {
        let reason = status.canonical_reason().unwrap_or("Error");
        let slug = reason.to_ascii_lowercase().replace(' ', "-");
        Problem::new(status, &slug, reason)
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let retry_after = self.retry_after_secs;
        let body = serde_json::to_vec(&self).expect("problems serialize to JSON");
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.title)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The member names of a JSON object, in order, repeated ones included (serde_json's
    /// `Value` would keep only the last).
    fn member_names(json: &str) -> Vec<String> {
        struct Names(Vec<String>);
        impl<'de> serde::Deserialize<'de> for Names {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Names, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = Names;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Names, A::Error> {
                        let mut names = Vec::new();
                        while let Some((name, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                            names.push(name);
                        }
                        Ok(Names(names))
                    }
                }
                d.deserialize_map(Visitor)
            }
        }
        serde_json::from_str::<Names>(json).expect("a JSON object").0
    }

    #[test]
    fn a_problem_with_every_member_and_extensions_names_each_once() {
        let problem = Problem::validation(vec![FieldProblem {
            field: "quantity".into(),
            reason: "is required".into(),
        }])
        .detail("why")
        .extension("sale_status", "voided")
        .extension("limit", 3)
        .extension("limit", 4);
        let json = serde_json::to_string(&problem).unwrap();
        let names = member_names(&json);
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(names.len(), unique.len(), "{json}");
        assert!(json.contains(r#""limit":4"#), "{json}");
    }

    #[test]
    fn no_extension_can_take_a_standard_member_name() {
        for name in STANDARD_MEMBERS {
            let attempt = std::panic::catch_unwind(|| Problem::not_found("x").extension(name, 1));
            assert!(attempt.is_err(), "extension {name:?} was accepted");
        }
    }
}
