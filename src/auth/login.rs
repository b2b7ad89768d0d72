//! Login identifiers and the authentication context of a session.

use serde::{Deserialize, Serialize};

/// The authentication context class ladder (documented in README): higher is stronger.
pub mod acr {
    /// Something the citizen knows: a password.
    pub const PASSWORD: &str = "urn:yagona:acr:password";
    /// Phishing-resistant: a passkey, alone or after a password.
    pub const PASSKEY: &str = "urn:yagona:acr:passkey";
    /// Qualified electronic signature.
    pub const ESIGN: &str = "urn:yagona:acr:esign";

    /// The ladder, weakest first.
    pub const LADDER: [&str; 3] = [PASSWORD, PASSKEY, ESIGN];

    /// Position on the ladder; unknown values rank below everything.
    pub fn rank(value: &str) -> Option<usize> {
        LADDER.iter().position(|v| *v == value)
    }
}

/// How a session was authenticated: `amr` values (RFC 8176) and the `acr` reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthContext {
    pub amr: Vec<String>,
    pub acr: String,
}

impl AuthContext {
    pub fn password() -> Self {
        Self {
            amr: vec!["pwd".into()],
            acr: acr::PASSWORD.into(),
        }
    }

    /// Passwordless passkey sign-in: the passkey's own `amr` (`hwk`/`swk`, `user`).
    pub fn passkey(passkey_amr: Vec<String>) -> Self {
        Self {
            amr: passkey_amr,
            acr: acr::PASSKEY.into(),
        }
    }

    /// A password confirmed by a passkey: `pwd`, the passkey's `amr`, and `mfa` (RFC 8176 §2).
    pub fn password_and_passkey(passkey_amr: Vec<String>) -> Self {
        let mut amr = vec!["pwd".to_owned()];
        amr.extend(passkey_amr);
        amr.push("mfa".to_owned());
        Self {
            amr,
            acr: acr::PASSKEY.into(),
        }
    }

    pub fn amr_string(&self) -> String {
        self.amr.join(" ")
    }

    pub fn from_stored(amr: &str, acr: &str) -> Self {
        Self {
            amr: amr.split_whitespace().map(str::to_owned).collect(),
            acr: acr.to_owned(),
        }
    }
}

/// Normalises what a citizen types in the login field so it matches how accounts are stored:
/// trimmed; lower-case for usernames and emails; phones as E.164 (`+998` and nine digits, with
/// spaces, dashes and parentheses removed; a bare nine-digit number gets `+998`); PINFL digits
/// as they are.
pub fn normalize_login(input: &str) -> String {
    let trimmed = input.trim();
    if let Some(phone) = normalize_phone(trimmed) {
        return phone;
    }
    trimmed.to_lowercase()
}

/// `+998XXXXXXXXX` for an Uzbek phone number written in any common way, else `None`.
pub fn normalize_phone(input: &str) -> Option<String> {
    let looks_like_phone = input
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
    if !looks_like_phone || input.is_empty() {
        return None;
    }
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        12 if digits.starts_with("998") => Some(format!("+{digits}")),
        9 if !input.starts_with('+') => Some(format!("+998{digits}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_normalised() {
        assert_eq!(normalize_login("  Ali.Valiyev "), "ali.valiyev");
        assert_eq!(normalize_login("Ali@Example.UZ"), "ali@example.uz");
        assert_eq!(normalize_login("+998 (90) 123-45-67"), "+998901234567");
        assert_eq!(normalize_login("901234567"), "+998901234567");
        assert_eq!(normalize_login("998901234567"), "+998901234567");
        // A PINFL (14 digits) stays as it is.
        assert_eq!(normalize_login("31234567890123"), "31234567890123");
    }

    #[test]
    fn passkey_contexts_reach_the_passkey_class() {
        let alone = AuthContext::passkey(vec!["hwk".into(), "user".into()]);
        assert_eq!(alone.amr_string(), "hwk user");
        assert_eq!(alone.acr, acr::PASSKEY);
        let second = AuthContext::password_and_passkey(vec!["swk".into(), "user".into()]);
        assert_eq!(second.amr_string(), "pwd swk user mfa");
        assert_eq!(second.acr, acr::PASSKEY);
    }

    #[test]
    fn acr_ladder_orders_methods() {
        assert!(acr::rank(acr::PASSWORD) < acr::rank(acr::PASSKEY));
        assert!(acr::rank(acr::PASSKEY) < acr::rank(acr::ESIGN));
        assert_eq!(acr::rank("urn:other"), None);
    }
}
