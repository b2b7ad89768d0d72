//! PKCE (RFC 7636), S256 only: `plain` is refused (RFC 9700 §2.1.1).

use super::error::OAuthError;
use crate::crypto::{b64url, constant_time_eq, sha256};

/// Checks an authorization request's `code_challenge` / `code_challenge_method`.
pub fn validate_challenge(
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<Option<String>, OAuthError> {
    match (challenge, method) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(OAuthError::invalid_request(
            "code_challenge_method given without code_challenge",
        )),
        (Some(_), None | Some("plain")) => Err(OAuthError::invalid_request(
            "code_challenge_method must be S256 (plain is not supported)",
        )),
        (Some(_), Some(m)) if m != "S256" => Err(OAuthError::invalid_request(
            "code_challenge_method must be S256",
        )),
        (Some(c), Some(_)) => {
            // A S256 challenge is base64url(SHA-256) without padding: exactly 43 characters.
            let well_formed = c.len() == 43
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if well_formed {
                Ok(Some(c.to_owned()))
            } else {
                Err(OAuthError::invalid_request(
                    "code_challenge must be a base64url SHA-256 digest (43 characters)",
                ))
            }
        }
    }
}

/// Checks a token request's `code_verifier` against the stored challenge. A code issued
/// without a challenge cannot be redeemed with a verifier (RFC 9700 §2.1.1, PKCE downgrade).
pub fn verify(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier sent for a code issued without code_challenge",
        )),
        (Some(_), None) => Err(OAuthError::invalid_grant("code_verifier is required")),
        (Some(challenge), Some(verifier)) => {
            let well_formed = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
            if !well_formed {
                return Err(OAuthError::invalid_grant("malformed code_verifier"));
            }
            let computed = b64url(&sha256(verifier.as_bytes()));
            if constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant("code_verifier does not match"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_example_verifies() {
        assert_eq!(
            validate_challenge(Some(CHALLENGE), Some("S256")).unwrap(),
            Some(CHALLENGE.to_owned())
        );
        verify(Some(CHALLENGE), Some(VERIFIER)).unwrap();
        assert!(verify(Some(CHALLENGE), Some(&VERIFIER.replace('d', "e"))).is_err());
    }

    #[test]
    fn plain_and_missing_method_are_refused() {
        assert!(validate_challenge(Some(CHALLENGE), Some("plain")).is_err());
        assert!(validate_challenge(Some(CHALLENGE), None).is_err());
        assert!(validate_challenge(Some("short"), Some("S256")).is_err());
    }

    #[test]
    fn downgrade_is_refused() {
        assert!(verify(None, Some(VERIFIER)).is_err());
        assert!(verify(Some(CHALLENGE), None).is_err());
        verify(None, None).unwrap();
    }
}
