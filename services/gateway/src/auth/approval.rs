//! A manager's approval at the counter: a sale whose discounts go beyond the shop's limit, or
//! a clerk's refund above it, carries `approval: {username, password}` of a manager. The gateway checks those
//! credentials (with the lockout of logins), takes them out of the body, and passes the
//! manager on to the sales service inside the signed identity, so the password never leaves
//! the gateway and the service can trust the name.

use std::net::IpAddr;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use web::Problem;

use super::Auth;

/// The manager who approved a request, for the proxy to sign into the identity.
#[derive(Debug, Clone)]
pub struct Approver(pub String);

/// Whether a request may carry an approval: recording a sale (discounts), a return or a void
/// (refunds).
pub fn applies(method: &Method, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    *method == Method::POST
        && (path == "/api/v1/sales"
            || path
                .strip_prefix("/api/v1/sales/")
                .is_some_and(|rest| rest.ends_with("/returns") || rest.ends_with("/void")))
}

/// The request without its `approval`, marked with the approving manager; unchanged when it
/// carries none; a problem when the approval is malformed or refused.
pub async fn take(
    auth: &Auth,
    request: Request,
    client: IpAddr,
    max_body_bytes: usize,
) -> Result<Request, Response> {
    let (mut parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, max_body_bytes).await.map_err(|_| {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request body too large",
        )
        .detail(format!("The body must be at most {max_body_bytes} bytes."))
        .into_response()
    })?;
    let mut sale = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(sale)) if sale.contains_key("approval") => sale,
        // Anything else goes on as it came; the sales service judges it.
        _ => return Ok(Request::from_parts(parts, Body::from(bytes))),
    };
    let (username, password) = credentials(sale.remove("approval")).ok_or_else(|| {
        Problem::validation(vec![web::FieldProblem {
            field: "approval".to_owned(),
            reason: "must be an object with a manager's `username` and `password`".to_owned(),
        }])
        .into_response()
    })?;
    let manager = auth
        .approve(&username, &password, client)
        .await
        .map_err(IntoResponse::into_response)?;
    tracing::info!(approver = %manager.username, "discount approval accepted");
    let body = Bytes::from(Value::Object(sale).to_string());
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.extensions.insert(Approver(manager.username));
    Ok(Request::from_parts(parts, Body::from(body)))
}

fn credentials(approval: Option<Value>) -> Option<(String, String)> {
    let Some(Value::Object(mut approval)) = approval else {
        return None;
    };
    let text = |value: Option<Value>| match value {
        Some(Value::String(text)) if !text.is_empty() && text.chars().count() <= 256 => Some(text),
        _ => None,
    };
    let username = text(approval.remove("username"))?;
    let password = text(approval.remove("password"))?;
    approval.is_empty().then_some((username, password))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_approval_is_exactly_a_username_and_a_password() {
        let ok = json!({"username": "maria", "password": "secret words"});
        assert_eq!(
            credentials(Some(ok)),
            Some(("maria".into(), "secret words".into()))
        );
        for bad in [
            json!({"username": "maria"}),
            json!({"username": "maria", "password": ""}),
            json!({"username": "maria", "password": 7}),
            json!({"username": "maria", "password": "x", "role": "admin"}),
            json!("maria:secret"),
        ] {
            assert_eq!(credentials(Some(bad.clone())), None, "{bad}");
        }
        assert_eq!(credentials(None), None);
    }

    #[test]
    fn sales_returns_and_voids_take_an_approval() {
        assert!(applies(&Method::POST, "/api/v1/sales"));
        assert!(applies(&Method::POST, "/api/v1/sales/1/returns"));
        assert!(applies(&Method::POST, "/api/v1/sales/1/void"));
        assert!(!applies(&Method::GET, "/api/v1/sales"));
        assert!(!applies(&Method::POST, "/api/v1/shifts"));
    }
}
