//! The inventory's locations, asked for when an import sets opening stock: the catalog does
//! not own them, so it asks the service that does (signed as the catalog, with a timeout).

use std::collections::HashSet;
use std::time::Duration;

use inventory_api::views::LocationList;

/// Asks the inventory at `base` which locations exist and are active.
#[derive(Clone)]
pub struct Locations {
    client: reqwest::Client,
    base: String,
    signer: web::Signer,
}

#[derive(Debug, thiserror::Error)]
#[error("the inventory could not be asked which locations exist: {0}")]
pub struct Unavailable(String);

impl Locations {
    pub fn new(base: String, signer: web::Signer, timeout: Duration) -> Result<Locations, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Locations { client, base, signer })
    }

    /// The codes of the active locations.
    pub async fn active(&self) -> Result<HashSet<String>, Unavailable> {
        let mut request = self.client.get(format!("{}/api/v1/locations", self.base)).header(
            reqwest::header::AUTHORIZATION,
            self.signer.bearer(&web::Identity::service(crate::SERVICE)),
        );
        if let Some(id) = web::middleware::current_request_id() {
            request = request.header(web::middleware::REQUEST_ID, id);
        }
        let response = request.send().await.map_err(|e| Unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(Unavailable(format!("it answered {}", response.status())));
        }
        let list: LocationList = response.json().await.map_err(|e| Unavailable(e.to_string()))?;
        Ok(list
            .items
            .into_iter()
            .filter(|l| l.active)
            .map(|l| l.code)
            .collect())
    }
}
