//! The shop's identifiers: SKUs and location codes. Both are plain ASCII, compared without
//! regard to case, and may come with spaces around them, which are dropped.

use std::fmt;

/// `raw` without the spaces around it, as a scanner or a copy and paste may leave them.
/// Nothing else is trimmed: a tab or a line break in an identifier is refused, as the API
/// document says.
pub fn trim_blanks(raw: &str) -> &str {
    raw.trim_matches(' ')
}

/// A stock-keeping unit: upper case, `[A-Z0-9][A-Z0-9._-]{1,63}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sku(String);

impl Sku {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Sku, String> {
        let sku = trim_blanks(raw).to_ascii_uppercase();
        let mut chars = sku.chars();
        let Some(first) = chars.next() else {
            return Err("must not be empty".into());
        };
        if sku.len() < 2 || sku.len() > Self::MAX_LEN {
            return Err(format!("must be 2 to {} characters long", Self::MAX_LEN));
        }
        if !first.is_ascii_alphanumeric() {
            return Err("must start with a letter or a digit".into());
        }
        if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
            return Err("may contain only letters, digits, '.', '_' and '-'".into());
        }
        Ok(Sku(sku))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A location's code: lower case, `[a-z0-9][a-z0-9_-]{0,31}`, e.g. `main`, `back-room`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocationCode(String);

impl LocationCode {
    /// The location every installation has, and the one a request means when it names none.
    pub const MAIN: &'static str = "main";
    pub const MAX_LEN: usize = 32;

    pub fn parse(raw: &str) -> Result<LocationCode, String> {
        let code = trim_blanks(raw).to_ascii_lowercase();
        let valid = !code.is_empty()
            && code.len() <= Self::MAX_LEN
            && code.starts_with(|c: char| c.is_ascii_alphanumeric())
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if valid {
            Ok(LocationCode(code))
        } else {
            Err("must be 1 to 32 letters, digits, '-' or '_', starting with a letter or digit".into())
        }
    }

    pub fn main() -> LocationCode {
        LocationCode(Self::MAIN.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LocationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_are_upper_cased_and_checked() {
        assert_eq!(Sku::parse(" cpu-amd.7_x ").unwrap().as_str(), "CPU-AMD.7_X");
        assert!(Sku::parse("\tAB").is_err());
        for bad in [
            "",
            "A",
            "-AB",
            "A B",
            "ÄB",
            "A\u{a0}B",
            &"X".repeat(65),
            "\u{a0}AB",
        ] {
            assert!(Sku::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Sku::parse(&"X".repeat(64)).is_ok());
    }

    #[test]
    fn location_codes_are_lower_cased_and_checked() {
        assert_eq!(LocationCode::parse(" Back-Room ").unwrap().as_str(), "back-room");
        for bad in ["", "-x", "a b", "ä", &"x".repeat(33), "\nmain"] {
            assert!(LocationCode::parse(bad).is_err(), "{bad:?}");
        }
    }
}
