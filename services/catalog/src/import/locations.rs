//! The inventory's locations, asked for when an import sets opening stock: the catalog does
//! not own them, so it asks the service that does (at its replicas in turn, signed as the
//! catalog, with a timeout).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use inventory_api::views::LocationList;
use web::replicas::{InvalidReplicas, Replicas, at};

/// Asks the inventory which locations exist and are active.
#[derive(Clone)]
pub struct Locations {
    client: reqwest::Client,
    inventory: Arc<Replicas>,
    signer: web::Signer,
}

#[derive(Debug, thiserror::Error)]
#[error("the inventory could not be asked which locations exist: {0}")]
pub struct Unavailable(String);

#[derive(Debug, thiserror::Error)]
pub enum LocationsError {
    #[error("catalog HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error(transparent)]
    Inventory(#[from] InvalidReplicas),
}

impl Locations {
    /// `inventory` is the comma list of the inventory replicas' base URLs.
    pub fn new(inventory: &str, signer: web::Signer, timeout: Duration) -> Result<Locations, LocationsError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Locations {
            client,
            inventory: Arc::new(Replicas::parse("inventory", inventory)?),
            signer,
        })
    }

    /// The codes of the active locations.
    pub async fn active(&self) -> Result<HashSet<String>, Unavailable> {
        let identity = self.signer.bearer(&web::Identity::service(crate::SERVICE));
        let response = self
            .inventory
            .send(|base| {
                web::middleware::passing_request_id(
                    self.client
                        .get(at(base, "/api/v1/locations"))
                        .header(reqwest::header::AUTHORIZATION, identity.clone()),
                )
            })
            .await
            .map_err(|e| Unavailable(e.to_string()))?;
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
