//! Users, roles and passwords as values that are valid once parsed. No HTTP, no SQL.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a user (or an API token) may do. Each role includes everything below it:
/// `viewer` reads; `clerk` also records sales and returns; `manager` also changes the
/// catalog and the stock and voids sales; `admin` also manages users.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Clerk,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Clerk, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Clerk => "clerk",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// Whether this role may do what `required` may.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login name: 3–64 characters of `a-z 0-9 . _ -`, starting with a letter or digit, stored
/// lower-case so `Alice` and `alice` are one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(text: &str) -> Result<Username, String> {
        let name = kernel::codes::trim_blanks(text).to_ascii_lowercase();
        if !(3..=64).contains(&name.len()) {
            return Err("must be 3 to 64 characters long".into());
        }
        if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("must start with a letter or a digit".into());
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err("may contain only letters, digits, '.', '_' and '-'".into());
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The shortest password accepted. Length is what makes a password hard to guess (NIST SP
/// 800-63B); composition rules mostly make people write them down.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest: hashing cost grows with length, and nobody types more.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password that meets the policy. Never printed: `Debug` hides it.
pub struct NewPassword(String);

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Checks the policy: 12 to 128 characters, not made of the username, not one character
    /// repeated, not a well-known password.
    pub fn parse(password: &str, username: &Username) -> Result<NewPassword, String> {
        let chars = password.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!(
                "must be at least {MIN_PASSWORD_CHARS} characters long (a few words make a good one)"
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!("must be at most {MAX_PASSWORD_CHARS} characters long"));
        }
        let lower = password.to_lowercase();
        if lower.contains(username.as_str()) {
            return Err("must not contain the username".into());
        }
        let mut distinct: Vec<char> = lower.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 4 {
            return Err("must use more than a few different characters".into());
        }
        if COMMON.iter().any(|common| lower.contains(common)) {
            return Err("is too easy to guess (it contains a well-known password)".into());
        }
        Ok(NewPassword(password.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Fragments of the passwords most often tried by attackers, long enough to matter at 12+
/// characters.
const COMMON: &[&str] = &[
    "123456789",
    "password",
    "passw0rd",
    "qwertyuiop",
    "11111111",
    "abc12345",
    "letmein",
    "iloveyou",
    "admin123",
    "changeme",
    "welcome1",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parse_from_their_names() {
        assert!(Role::Admin.allows(Role::Manager));
        assert!(Role::Clerk.allows(Role::Viewer));
        assert!(!Role::Clerk.allows(Role::Manager));
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
        // The dashboard lists roles in this order, lowest first (`/auth/me` sends it).
        assert!(Role::ALL.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn usernames_are_lower_case_and_limited() {
        assert_eq!(Username::parse(" Alice.B ").unwrap().as_str(), "alice.b");
        for bad in ["ab", "-lead", "has space", "émile", &"x".repeat(65)] {
            assert!(Username::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_password_policy_explains_each_refusal() {
        let user = Username::parse("alice").unwrap();
        assert!(NewPassword::parse("correct horse battery", &user).is_ok());
        let cases = [
            ("short", "at least 12"),
            ("alice-is-the-best-1", "username"),
            ("aaaaaaaaaaaaaaa", "different characters"),
            ("mypassword2024!", "well-known"),
        ];
        for (password, reason) in cases {
            let err = NewPassword::parse(password, &user).unwrap_err();
            assert!(err.contains(reason), "{password}: {err}");
        }
        assert!(
            NewPassword::parse(&"ab cd ".repeat(30), &user)
                .unwrap_err()
                .contains("at most")
        );
        assert_eq!(
            format!(
                "{:?}",
                NewPassword::parse("correct horse battery", &user).unwrap()
            ),
            "NewPassword(***)"
        );
    }
}
