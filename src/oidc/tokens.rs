//! Minting tokens: access tokens as self-contained JWTs (RFC 9068; nothing is stored, see
//! `access_tokens`) and ID tokens (OIDC Core §2).

use serde::Serialize;
use serde_json::Value;

use super::error::OAuthError;
use super::provider::Provider;
use crate::clients::Client;
use crate::clock::UnixTime;
use crate::crypto::{b64url, random_id, sha256};
use crate::keys::SigningAlg;
use crate::store::Grant;

/// The successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3).
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub scope: String,
}

/// Who an access token speaks for.
pub enum TokenSubject<'a> {
    /// A citizen, through a grant.
    Citizen(&'a Grant),
    /// The client itself (`client_credentials`).
    Client,
}

impl Provider {
    /// Signs an ES256 access token (cheap to sign and verify). Citizens' tokens name their
    /// grant (`grant_id`), so revoking the grant refuses them too.
    pub fn mint_access_token(
        &self,
        client_id: &str,
        subject: TokenSubject<'_>,
        scope: &str,
    ) -> Result<(String, i64), OAuthError> {
        let now = self.now();
        let lifetime = self.lifetimes.access_token;
        let jti = random_id();
        let grant = match subject {
            TokenSubject::Citizen(grant) => Some(grant),
            TokenSubject::Client => None,
        };
        let claims = AccessTokenPayload {
            iss: &self.issuer,
            aud: &self.issuer,
            sub: grant.map_or(client_id, |g| g.account_id.as_str()),
            client_id,
            iat: now,
            exp: now + lifetime,
            jti: &jti,
            scope,
            grant_id: grant.map(|g| g.id.as_str()),
            auth_time: grant.map(|g| g.auth_time),
            acr: grant.map(|g| g.acr.as_str()),
            amr: grant.map(|g| Amr(&g.amr)),
        };
        let token = self.keys.sign(SigningAlg::ES256, "at+jwt", &claims)?;
        Ok((token, lifetime))
    }

    /// Signs an ID token with the client's registered algorithm.
    pub async fn mint_id_token(
        &self,
        client: &Client,
        grant: &Grant,
        nonce: Option<&str>,
        access_token: &str,
    ) -> Result<String, OAuthError> {
        let now = self.now();
        let scopes = super::scope::Scopes::from_stored(&grant.scope);
        let claims = IdTokenPayload {
            iss: &self.issuer,
            sub: &grant.account_id,
            aud: &client.client_id,
            azp: &client.client_id,
            iat: now,
            exp: now + self.lifetimes.id_token,
            auth_time: grant.auth_time,
            acr: &grant.acr,
            amr: Amr(&grant.amr),
            at_hash: left_half_hash(access_token),
            nonce,
            organization: self.organization_claim(&grant.id, &scopes).await?,
        };
        Ok(self.keys.sign(client.id_token_alg, "JWT", &claims)?)
    }
}

/// An access token's claims as we sign them (RFC 9068 §2.2); the citizen's members are absent
/// from `client_credentials` tokens, whose subject is the client.
#[derive(Serialize)]
struct AccessTokenPayload<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    client_id: &'a str,
    iat: UnixTime,
    exp: UnixTime,
    jti: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    scope: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    grant_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_time: Option<UnixTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    acr: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amr: Option<Amr<'a>>,
}

/// An ID token's claims (OIDC Core §2, §3.1.3.6 `at_hash`).
#[derive(Serialize)]
struct IdTokenPayload<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    azp: &'a str,
    iat: UnixTime,
    exp: UnixTime,
    auth_time: UnixTime,
    acr: &'a str,
    amr: Amr<'a>,
    at_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<Value>,
}

/// Stored space-separated authentication methods, as the JSON array `amr` is.
struct Amr<'a>(&'a str);

impl Serialize for Amr<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.split_whitespace())
    }
}

/// `at_hash` (OIDC Core §3.1.3.6): base64url of the left half of the SHA-256 digest; both
/// RS256 and ES256 use SHA-256.
pub fn left_half_hash(token: &str) -> String {
    let digest = sha256(token.as_bytes());
    b64url(&digest[..digest.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_matches_oidc_example() {
        // OIDC Core Appendix A.3: access token and its at_hash.
        assert_eq!(
            left_half_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
