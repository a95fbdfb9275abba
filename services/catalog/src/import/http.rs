//! `POST /api/v1/imports/products`: the file as the body (`text/csv`) or as a form's `file`
//! (`multipart/form-data`), up to 64 MiB.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use catalog_api::imports::{ImportParams, ImportReport};
use web::{Json, Problem, Query, RequestId};

use super::{ImportError, Importer};

/// The largest file an import takes (the gateway forwards as much to this route).
pub const MAX_FILE_BYTES: usize = 64 << 20;

pub fn router(importer: Arc<Importer>) -> Router {
    Router::new()
        .route(
            catalog_api::imports::PRODUCTS_IMPORT,
            post(import_products).layer(DefaultBodyLimit::max(MAX_FILE_BYTES)),
        )
        .with_state(importer)
}

pub async fn import_products(
    State(importer): State<Arc<Importer>>,
    Query(params): Query<ImportParams>,
    request_id: RequestId,
    request: Request,
) -> Result<Json<ImportReport>, Response> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let body = if content_type.starts_with("text/csv") {
        Bytes::from_request(request, &())
            .await
            .map_err(IntoResponse::into_response)?
    } else if content_type.starts_with("multipart/form-data") {
        uploaded_file(request).await?
    } else {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Send the file as text/csv or multipart/form-data",
        )
        .detail("Post the CSV file itself as the body (Content-Type: text/csv), or as the `file` field of a form.")
        .into_response());
    };
    match importer
        .run(&body, params.dry_run.unwrap_or(false), request_id.0)
        .await
    {
        Ok(report) => Ok(Json(report)),
        Err(ImportError::Refused(report)) => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "import-refused",
            "Nothing was imported",
        )
        .detail(format!(
            "{} cell(s) need fixing; nothing was imported. `rows` names each by line and column.",
            report.errors.len()
        ))
        .extension("rows", &report.errors)
        .into_response()),
        Err(ImportError::Locations(e)) => {
            tracing::warn!(error = %e, "import: locations unavailable");
            Err(Problem::unavailable(
                "The inventory could not be asked which locations exist; try again shortly.",
            )
            .into_response())
        }
        Err(ImportError::Catalog(e)) => Err(Problem::from(e).into_response()),
    }
}

/// The `file` field of a form (or its first field with a file name).
async fn uploaded_file(request: Request) -> Result<Bytes, Response> {
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(IntoResponse::into_response)?;
    while let Some(field) = form.next_field().await.map_err(IntoResponse::into_response)? {
        if field.name() == Some("file") || field.file_name().is_some() {
            return field.bytes().await.map_err(IntoResponse::into_response);
        }
    }
    Err(Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "file-missing",
        "No file in the form",
    )
    .detail("Send the CSV file as the form's `file` field.")
    .into_response())
}
