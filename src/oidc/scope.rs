//! Scope strings (RFC 6749 §3.3): space-delimited, case-sensitive, deduplicated, order kept.

use super::error::OAuthError;

/// Scopes that describe a citizen (they make no sense without one).
pub const USER_SCOPES: [&str; 7] = [
    "openid",
    "profile",
    "email",
    "phone",
    "pinfl",
    "organization",
    "offline_access",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses a scope parameter. Each token must be `scope-token` characters (RFC 6749 §3.3:
    /// printable ASCII except space, `"` and `\`).
    pub fn parse(value: &str) -> Result<Self, OAuthError> {
        let mut scopes: Vec<String> = Vec::new();
        for token in value.split(' ').filter(|t| !t.is_empty()) {
            let valid = token
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b));
            if !valid || token.len() > 128 {
                return Err(OAuthError::invalid_scope(format!(
                    "malformed scope value {token:?}"
                )));
            }
            if !scopes.iter().any(|s| s == token) {
                scopes.push(token.to_owned());
            }
        }
        Ok(Self(scopes))
    }

    pub fn from_stored(value: &str) -> Self {
        Self(value.split_whitespace().map(str::to_owned).collect())
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether every scope here is also in `other`.
    pub fn is_subset_of(&self, other: &Self) -> bool {
        self.iter().all(|s| other.contains(s))
    }

    pub fn without(&self, scope: &str) -> Self {
        Self(self.0.iter().filter(|s| *s != scope).cloned().collect())
    }

    pub fn as_string(&self) -> String {
        self.0.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dedups_and_keeps_order() {
        let s = Scopes::parse("openid  profile openid email").unwrap();
        assert_eq!(s.as_string(), "openid profile email");
        assert!(s.contains("profile"));
        assert!(!s.contains("Profile"));
    }

    #[test]
    fn refuses_malformed_tokens() {
        assert!(Scopes::parse("openid \"x\"").is_err());
        assert!(Scopes::parse("openid a\\b").is_err());
        assert!(Scopes::parse("openid é").is_err());
    }

    #[test]
    fn subset() {
        let small = Scopes::parse("openid").unwrap();
        let big = Scopes::parse("openid profile").unwrap();
        assert!(small.is_subset_of(&big));
        assert!(!big.is_subset_of(&small));
    }
}
