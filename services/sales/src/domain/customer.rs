//! A customer record: a name, and optionally a phone number, an email address and notes, each
//! checked as the API document states.

use kernel::contact::{email, phone};
use kernel::text::{paragraph, required_line};
use kernel::{FieldError, FieldErrors};
use sales_api::inputs::{CustomerInput, CustomerPatch};

/// The fields of a customer; for a change, `None` leaves a field as it is and `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFields {
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub notes: Option<Option<String>>,
}

impl CustomerFields {
    /// A new customer: the name is required.
    pub fn new_customer(input: &CustomerInput) -> Result<CustomerFields, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        if input.name.is_none() {
            errors.push("name", "is required");
        }
        let fields = CustomerFields::parse(&mut errors, input);
        errors.finish(|| fields)
    }

    /// A change to a customer: only what is sent, and at least one field.
    pub fn change(patch: &CustomerPatch) -> Result<CustomerFields, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        let input = CustomerInput {
            name: patch.name.clone(),
            phone: patch.phone.clone(),
            email: patch.email.clone(),
            notes: patch.notes.clone(),
        };
        let fields = CustomerFields::parse(&mut errors, &input);
        if fields == CustomerFields::default() && errors.is_empty() {
            errors.push("", "name at least one field to change");
        }
        errors.finish(|| fields)
    }

    fn parse(errors: &mut FieldErrors, input: &CustomerInput) -> CustomerFields {
        CustomerFields {
            name: errors
                .optional("name", input.name.as_deref(), |v| required_line(v, 200))
                .flatten(),
            phone: errors.optional("phone", input.phone.as_deref(), phone).flatten(),
            email: errors.optional("email", input.email.as_deref(), email).flatten(),
            notes: errors
                .optional("notes", input.notes.as_deref(), |v| paragraph(v, 1000))
                .flatten(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: Option<&str>, phone: Option<&str>, email: Option<&str>) -> CustomerInput {
        CustomerInput {
            name: name.map(Into::into),
            phone: phone.map(Into::into),
            email: email.map(Into::into),
            notes: None,
        }
    }

    #[test]
    fn a_new_customer_needs_a_name_and_valid_contacts() {
        let ok = CustomerFields::new_customer(&input(
            Some(" Ada "),
            Some("+44 (20) 7946-0000"),
            Some("ada@example.org"),
        ))
        .unwrap();
        assert_eq!(ok.name.as_deref(), Some("Ada"));
        assert_eq!(ok.phone, Some(Some("+44 (20) 7946-0000".into())));
        let refused = CustomerFields::new_customer(&input(None, Some("call me"), Some("ada@"))).unwrap_err();
        let fields: Vec<&str> = refused.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "phone", "email"]);
    }

    #[test]
    fn a_change_names_something_and_may_clear_contacts() {
        let patch = |name: Option<&str>, phone: Option<&str>| CustomerPatch {
            name: name.map(Into::into),
            phone: phone.map(Into::into),
            ..CustomerPatch::default()
        };
        assert!(CustomerFields::change(&CustomerPatch::default()).is_err());
        let cleared = CustomerFields::change(&patch(None, Some(" "))).unwrap();
        assert_eq!(cleared.phone, Some(None));
        assert_eq!(cleared.name, None);
        assert!(
            CustomerFields::change(&patch(Some(" "), None)).is_err(),
            "a name is never blank"
        );
    }
}
