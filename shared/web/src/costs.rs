//! What the shop pays for its goods is for managers: clerks and viewers never receive a cost
//! price or a value at cost from the API, whatever screen or client they use. Services take
//! the cost fields out of their answers for those roles; the live event stream, which every
//! signed-in user reads, carries none at all.

use crate::identity::Actor;

/// Whether the caller may see costs: a manager, an admin, or another service.
pub fn visible_to(actor: &Actor) -> bool {
    actor
        .0
        .as_ref()
        .is_some_and(|identity| matches!(identity.role.as_str(), "manager" | "admin" | "service"))
}

/// Whether `field` holds a cost, or a figure a cost can be worked out from: `cost_cents`,
/// `unit_cost_cents`, `at_cost_cents`, `gross_margin_cents`.
pub fn is_cost(field: &str) -> bool {
    field.ends_with("cost_cents") || field.starts_with("gross_margin")
}

/// `value` without any cost field, at any depth.
pub fn redact(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(fields) => {
            fields.retain(|name, _| !is_cost(name));
            fields.values_mut().for_each(redact);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// `body` as JSON, without costs unless `actor` may see them.
pub fn shown_to<T: serde::Serialize>(actor: &Actor, body: &T) -> serde_json::Value {
    let mut value = serde_json::to_value(body).expect("answers serialize to JSON");
    if !visible_to(actor) {
        redact(&mut value);
    }
    value
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::identity::Identity;

    fn actor(role: &str) -> Actor {
        Actor(Some(Identity {
            subject: "user:1".into(),
            owner: "user:1".into(),
            name: "x".into(),
            role: role.into(),
            approver: None,
        }))
    }

    #[test]
    fn costs_are_left_out_for_clerks_and_viewers_at_any_depth() {
        let body = json!({"items": [{"sku": "A", "price_cents": 10, "cost_cents": 5}], "at_cost_cents": 5,
                          "restock": {"unit_cost_cents": 4, "quantity": 1}, "gross_margin_cents": 5});
        for role in ["viewer", "clerk"] {
            assert_eq!(
                shown_to(&actor(role), &body),
                json!({"items": [{"sku": "A", "price_cents": 10}], "restock": {"quantity": 1}})
            );
        }
        for role in ["manager", "admin", "service"] {
            assert_eq!(shown_to(&actor(role), &body), body);
        }
        assert!(!visible_to(&Actor(None)), "no identity, no costs");
    }
}
