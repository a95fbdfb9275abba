//! How a person is reached: a phone number and an email address, checked as the API document
//! states them (`web::schema::Phone`, `web::schema::Email`).

use crate::text::line;

/// A phone number as typed: digits, spaces and `+ - ( ) .`, with a digit; blank is none.
pub fn phone(raw: &str) -> Result<Option<String>, String> {
    let Some(text) = line(raw, 40)? else {
        return Ok(None);
    };
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    if text.chars().all(allowed) && text.chars().any(|c| c.is_ascii_digit()) {
        Ok(Some(text))
    } else {
        Err("must be digits, spaces and + - ( ) . with at least one digit".into())
    }
}

/// An email address: something, `@`, a domain with a dot, no spaces; blank is none. Whether
/// it receives mail is not this shop's to check.
pub fn email(raw: &str) -> Result<Option<String>, String> {
    let Some(text) = line(raw, 254)? else {
        return Ok(None);
    };
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain
                    .char_indices()
                    .any(|(i, c)| c == '.' && i > 0 && i + 1 < domain.len())
                && !text.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(Some(text))
    } else {
        Err("must be an email address such as name@example.com".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_checked_as_documented() {
        assert_eq!(
            phone(" +44 (20) 7946-0000 "),
            Ok(Some("+44 (20) 7946-0000".into()))
        );
        assert!(phone("call me").is_err());
        assert!(phone("+-()").is_err(), "a phone number has a digit");
        assert_eq!(email("ada@example.org"), Ok(Some("ada@example.org".into())));
        for bad in [
            "ada",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "a@b@c.d",
            "ada@.org",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert_eq!(email("  "), Ok(None), "blank is none");
        assert!(
            email("ada@.example.org").is_ok(),
            "as the document's pattern allows"
        );
    }
}
