//! API documentation: the OpenAPI document generated from the services' code, and Swagger UI
//! (its assets are compiled into the binary by utoipa-swagger-ui's `vendored` feature, so
//! the page works offline).

use axum::Router;
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa_swagger_ui::SwaggerUi;

/// The document describing everything the gateway serves.
pub fn openapi() -> OpenApi {
    let mut doc = catalog::openapi();
    doc.merge(inventory::openapi());
    doc.merge(sales::openapi());
    doc.merge(crate::auth::api::AuthApi::openapi());
    doc.merge(crate::stream::StreamApi::openapi());
    add_security(&mut doc);
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

pub fn router() -> Router {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi()))
}
