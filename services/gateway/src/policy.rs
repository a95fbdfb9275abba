//! Who may call what: the least role each API request needs. The gateway enforces it before
//! anything is forwarded; the table-driven test in `app/tests/api/auth.rs` checks every
//! documented route against every role.

use axum::http::Method;

use crate::auth::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// Anyone, authenticated or not (logging in).
    Public,
    /// Any authenticated caller, even one who must change their password first.
    SignedIn,
    /// An authenticated caller whose role includes this one.
    Role(Role),
    /// A login session (never an API token) whose role includes this one: managing
    /// credentials (passwords, API tokens, users) needs a person who logged in.
    Session(Role),
}

/// The requirement for `method` on `path`.
///
/// - reading anything but customers: `viewer`;
/// - recording sales, returns and voids (the sales service asks a manager's approval for
///   a clerk's refunds above the shop's limit), running shifts, taking a faulty unit in for a
///   warranty case and noting on cases; reading, recording and changing customers: `clerk`;
/// - moving warranty cases on (to the supplier, their outcome): `manager`;
/// - archiving customers: `manager`;
/// - changing the catalog, the stock and locations: `manager`;
/// - the shop's settings and tax rates: `admin`;
/// - users: `admin`, from a login session;
/// - one's own password and API tokens: any user, from a login session;
/// - who one is, logging out: any signed-in caller.
pub fn required(method: &Method, path: &str) -> Required {
    let path = path.trim_end_matches('/');
    if path == "/api/v1/auth/login" {
        return Required::Public;
    }
    if matches!(path, "/api/v1/auth/me" | "/api/v1/auth/logout") {
        return Required::SignedIn;
    }
    if path == "/api/v1/auth/password"
        || path == "/api/v1/auth/tokens"
        || path.starts_with("/api/v1/auth/tokens/")
    {
        return Required::Session(Role::Viewer);
    }
    if path == "/api/v1/users" || path.starts_with("/api/v1/users/") {
        return Required::Session(Role::Admin);
    }
    if path == "/api/v1/customers" || path.starts_with("/api/v1/customers/") {
        // Personal data: the counter's people and up; archiving is a manager's.
        return Required::Role(if *method == Method::DELETE {
            Role::Manager
        } else {
            Role::Clerk
        });
    }
    if is_safe(method) {
        return Required::Role(Role::Viewer);
    }
    if path == "/api/v1/settings/shop"
        || path == "/api/v1/tax-rates"
        || path.starts_with("/api/v1/tax-rates/")
    {
        return Required::Role(Role::Admin);
    }
    if *method == Method::POST && (path == "/api/v1/sales" || is_sale_change(path)) {
        return Required::Role(Role::Clerk);
    }
    if *method == Method::POST && (path == "/api/v1/shifts" || path.starts_with("/api/v1/shifts/")) {
        return Required::Role(Role::Clerk);
    }
    if *method == Method::POST && (path == "/api/v1/rmas" || is_rma_note(path)) {
        return Required::Role(Role::Clerk);
    }

    Required::Role(Role::Manager)
}

/// A request that carries a whole file (a CSV import): the body it may have and the time
/// the service may take, far beyond an ordinary request's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bulk {
    pub max_body_bytes: usize,
    pub timeout: std::time::Duration,
}

/// The allowance of `path` when it takes a whole file.
pub fn bulk(method: &Method, path: &str) -> Option<Bulk> {
    (*method == Method::POST && path == catalog_api::imports::PRODUCTS_IMPORT).then_some(Bulk {
        max_body_bytes: 64 << 20,
        timeout: std::time::Duration::from_secs(120),
    })
}

/// Methods that change nothing (RFC 9110 §9.2.1).
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// `/api/v1/rmas/{id}/notes`.
fn is_rma_note(path: &str) -> bool {
    path.strip_prefix("/api/v1/rmas/")
        .and_then(|rest| rest.strip_suffix("/notes"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// `/api/v1/sales/{id}/returns` and `/api/v1/sales/{id}/void`.
fn is_sale_change(path: &str) -> bool {
    path.strip_prefix("/api/v1/sales/")
        .and_then(|rest| {
            rest.strip_suffix("/returns")
                .or_else(|| rest.strip_suffix("/void"))
        })
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_may_sell_take_returns_void_and_run_shifts() {
        assert_eq!(
            required(&Method::POST, "/api/v1/sales"),
            Required::Role(Role::Clerk)
        );
        assert_eq!(
            required(&Method::POST, "/api/v1/sales/0190/returns"),
            Required::Role(Role::Clerk)
        );
        assert_eq!(
            required(&Method::POST, "/api/v1/sales/0190/void"),
            Required::Role(Role::Clerk)
        );
        assert_eq!(
            required(&Method::POST, "/api/v1/shifts/0190/close"),
            Required::Role(Role::Clerk)
        );
        assert_eq!(
            required(&Method::POST, "/api/v1/sales/a/b/returns"),
            Required::Role(Role::Manager)
        );
        assert_eq!(
            required(&Method::POST, "/api/v1/rmas"),
            Required::Role(Role::Clerk)
        );
        assert_eq!(
            required(&Method::POST, "/api/v1/rmas/0190/notes"),
            Required::Role(Role::Clerk)
        );
        assert_eq!(
            required(&Method::POST, "/api/v1/rmas/0190/steps"),
            Required::Role(Role::Manager)
        );
        assert_eq!(
            required(&Method::GET, "/api/v1/sales"),
            Required::Role(Role::Viewer)
        );
        assert_eq!(required(&Method::POST, "/api/v1/auth/login"), Required::Public);
        assert_eq!(required(&Method::GET, "/api/v1/auth/me"), Required::SignedIn);
    }

    #[test]
    fn everyone_reads_the_shop_settings_and_only_admins_change_them() {
        assert_eq!(
            required(&Method::GET, "/api/v1/settings/shop"),
            Required::Role(Role::Viewer)
        );
        for (method, path) in [
            (Method::PUT, "/api/v1/settings/shop"),
            (Method::POST, "/api/v1/tax-rates"),
            (Method::PATCH, "/api/v1/tax-rates/standard"),
        ] {
            assert_eq!(
                required(&method, path),
                Required::Role(Role::Admin),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn credentials_are_managed_only_from_a_login_session() {
        for (method, path, role) in [
            (Method::POST, "/api/v1/auth/password", Role::Viewer),
            (Method::GET, "/api/v1/auth/tokens", Role::Viewer),
            (Method::POST, "/api/v1/auth/tokens", Role::Viewer),
            (Method::DELETE, "/api/v1/auth/tokens/abc", Role::Viewer),
            (Method::GET, "/api/v1/users", Role::Admin),
            (Method::POST, "/api/v1/users/7/password", Role::Admin),
            (Method::PATCH, "/api/v1/users/7/", Role::Admin),
        ] {
            assert_eq!(
                required(&method, path),
                Required::Session(role),
                "{method} {path}"
            );
        }
    }
}
