//! The services one process can run. `serve --target catalog,gateway` picks from this table;
//! `all` (the default) runs every one, which is the embedded default. Infrastructure a
//! service needs (its database pool, cache, metrics recorder) is built by the service itself
//! and is never a target.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Catalog,
    Inventory,
    Sales,
    Gateway,
    Admin,
}

pub struct TargetInfo {
    pub target: Target,
    pub name: &'static str,
    pub description: &'static str,
    /// Whether the target owns a database (and so has migrations).
    pub has_database: bool,
}

/// Every target, in start order: services before the gateway that routes to them, the
/// gateway before the dashboard that talks to it.
pub const TARGETS: &[TargetInfo] = &[
    TargetInfo {
        target: Target::Catalog,
        name: "catalog",
        description: "product catalog service (default port 8001)",
        has_database: true,
    },
    TargetInfo {
        target: Target::Inventory,
        name: "inventory",
        description: "stock per SKU and location, ledger and alerts (default port 8002)",
        has_database: true,
    },
    TargetInfo {
        target: Target::Sales,
        name: "sales",
        description: "the counter: sales, voids, returns (default port 8003)",
        has_database: true,
    },
    TargetInfo {
        target: Target::Gateway,
        name: "gateway",
        description: "API gateway: users and roles, rate limits, live events, API docs (default port 8000)",
        has_database: true,
    },
    TargetInfo {
        target: Target::Admin,
        name: "admin",
        description: "admin dashboard in the browser, talking to the gateway (default port 3000)",
        has_database: false,
    },
];

impl Target {
    pub fn info(self) -> &'static TargetInfo {
        TARGETS
            .iter()
            .find(|t| t.target == self)
            .expect("every target is in TARGETS")
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }
}

/// Parses `all` or a comma-separated list of target names.
pub fn parse_targets(list: &str) -> Result<BTreeSet<Target>, String> {
    let mut chosen = BTreeSet::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name.eq_ignore_ascii_case("all") {
            chosen.extend(TARGETS.iter().map(|t| t.target));
            continue;
        }
        let found = TARGETS.iter().find(|t| t.name.eq_ignore_ascii_case(name));
        match found {
            Some(info) => {
                chosen.insert(info.target);
            }
            None => {
                let known: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
                return Err(format!(
                    "unknown target {name:?}; choose `all` or any of: {}",
                    known.join(", ")
                ));
            }
        }
    }
    if chosen.is_empty() {
        return Err("no target given; choose `all` or a comma-separated list".to_owned());
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_lists_and_rejects_unknown_names() {
        assert_eq!(parse_targets("all").unwrap().len(), TARGETS.len());
        assert_eq!(
            parse_targets("catalog, GATEWAY").unwrap(),
            BTreeSet::from([Target::Catalog, Target::Gateway])
        );
        assert_eq!(
            parse_targets("catalog").unwrap(),
            BTreeSet::from([Target::Catalog])
        );
        let err = parse_targets("catalog,warehouse").unwrap_err();
        assert!(err.contains("warehouse") && err.contains("gateway"), "{err}");
        assert!(parse_targets(" , ").is_err());
    }
}
