//! API documentation: the OpenAPI document generated from the services' code, and Swagger UI
//! (its assets are compiled into the binary by utoipa-swagger-ui's `vendored` feature, so
//! the page works offline).

use axum::Router;
use utoipa::OpenApi as _;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};
use utoipa_swagger_ui::SwaggerUi;

/// The document describing everything the gateway serves.
pub fn openapi() -> OpenApi {
    let mut doc = OpenApi::default();
    for (_, contract) in crate::routes::contracts() {
        doc.merge(contract);
    }
    doc.merge(crate::auth::api::AuthApi::openapi());
    doc.merge(crate::stream::StreamApi::openapi());
    add_security(&mut doc);
    add_common_answers(&mut doc);
    doc.info = utoipa::openapi::InfoBuilder::new()
        .title("inventory-tracker API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Inventory, sales and catalog for small computer shops. Every error is \
             `application/problem+json` with a stable `type`. Money is in integer cents; \
             times are UTC (RFC 3339).\n\n\
             **Authentication.** Log in with `POST /api/v1/auth/login`; send the returned token as \
             `Authorization: Bearer <token>` (or create an API token for an integration). Browsers may \
             use the `it_session` cookie set at login instead; requests that change data with the cookie \
             must send the CSRF token as `X-CSRF-Token`. Without credentials every route but login \
             answers 401; a role that may not do something gets 403.\n\n\
             **Roles.** `viewer` reads everything; `clerk` also records sales and returns; `manager` also \
             changes the catalog, the stock and locations, and voids sales; `admin` also manages users.\n\n\
             **Limits.** Requests per minute are limited per user or token and per client address \
             (429 with `Retry-After`).",
        ))
        .build();
    doc.servers = Some(vec![utoipa::openapi::server::Server::new("/")]);
    doc
}

/// Declares the bearer and cookie schemes and requires one of them everywhere (login
/// overrides this with no requirement).
fn add_security(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("A session token from login, or an API token (`itk_…`)."))
                .build(),
        ),
    );
    components.add_security_scheme(
        "cookie",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::auth::SESSION_COOKIE,
            "The session cookie set at login; changes also need the `X-CSRF-Token` header.",
        ))),
    );
    doc.security = Some(vec![
        SecurityRequirement::new("bearer", Vec::<String>::new()),
        SecurityRequirement::new("cookie", Vec::<String>::new()),
    ]);
}

/// Documents on every operation the answers that do not come from its handler: the guard's
/// 401/403/429, the shared extractors' and middleware's 400/404/413/415/422, and the proxy's
/// 502/503/504. A client (or a fuzzer) then finds every status the API can give in the
/// document. An operation's own description of a status wins.
fn add_common_answers(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let proxied = !(path.starts_with("/api/v1/auth/")
            || path.starts_with("/api/v1/users")
            || path == "/api/v1/events/stream");
        let public = path == "/api/v1/auth/login";
        let has_path_params = path.contains('{');
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let has_body = operation.request_body.is_some();
            let mut answers = vec![
                (
                    "400",
                    "Malformed request: a query parameter, header or path segment that cannot be read, or malformed JSON",
                ),
                (
                    "429",
                    "Too many requests from this user, token or address, or logging in is locked (Retry-After)",
                ),
                (
                    "503",
                    "A service or its database is unavailable, or the circuit to it is open; nothing was changed (Retry-After)",
                ),
            ];
            if !public {
                answers.push(("401", "No credentials, or an unknown, expired or revoked token"));
                answers.push(("403", "The caller's role may not do this, the password must be changed first, the CSRF token is missing or wrong, or an API token tried to manage credentials"));
            }
            if has_body {
                answers.push(("413", "The request body is too large"));
                answers.push(("415", "The body is not sent as `application/json`"));
                answers.push(("422", "The JSON body does not have the expected shape, or a field is invalid (each one listed in `errors`)"));
            }
            if has_path_params {
                answers.push(("404", "Nothing with this identifier"));
            }
            if proxied {
                answers.push((
                    "502",
                    "The service behind the gateway cannot be reached; nothing was changed",
                ));
                answers.push(("504", "The service did not answer in time; a change may or may not have been made, so retry with the same Idempotency-Key"));
            }
            for (status, description) in answers {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem_response(description));
            }
        }
    }
}

fn problem_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                web::problem::CONTENT_TYPE,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

pub fn router() -> Router {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi()))
}
