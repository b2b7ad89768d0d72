//! `private_key_jwt` client authentication: a JWT signed with the client's private key
//! (RFC 7523 §2.2 and §3, OIDC Core §9).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::Deserialize;

use super::Client;
use super::auth::{ClientAuthError, ClientCredentials};
use super::jwks::{self, ALLOWED_ALGS, ClientKeys, JwksCache};
use crate::clock::UnixTime;
use crate::store::ReplayStore;

/// RFC 7523 §2.2.
pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Clock skew tolerated on `exp`, `nbf` and `iat`.
const LEEWAY: i64 = 60;
/// Assertions are single-use and short-lived; one valid for longer than this is refused.
const MAX_LIFETIME: i64 = 600;
const MAX_ASSERTION_LEN: usize = 16 * 1024;
const MAX_JTI_LEN: usize = 255;

/// A client assertion whose form was checked before the client is looked up, so every
/// structural error is reported the same way whether or not the client exists.
pub(super) struct Assertion<'a> {
    token: &'a str,
    header: Header,
    /// `iss` (else `sub`), unverified: only used to find the client (a `client_id` parameter
    /// must name the same client). The signature is then verified with that client's keys,
    /// and `iss` and `sub` must both equal its id.
    pub(super) unverified_issuer: Option<String>,
}

/// Checks the request's `client_assertion_type` and the assertion's shape: three base64url
/// parts, a JSON header with an allowed `alg`, a JSON object as payload.
pub(super) fn parse_assertion(creds: &ClientCredentials) -> Result<Assertion<'_>, ClientAuthError> {
    #[derive(Deserialize)]
    struct Issuer {
        iss: Option<String>,
        sub: Option<String>,
    }
    let malformed = |reason: &str| ClientAuthError::MalformedAssertion(reason.to_owned());
    if creds.client_assertion_type.as_deref() != Some(JWT_BEARER) {
        return Err(ClientAuthError::AssertionType);
    }
    let token = creds
        .client_assertion
        .as_deref()
        .ok_or_else(|| malformed("client_assertion missing"))?;
    if token.len() > MAX_ASSERTION_LEN {
        return Err(malformed("client_assertion too long"));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [_, payload, signature] = parts.as_slice() else {
        return Err(malformed("not three dot-separated parts"));
    };
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| ClientAuthError::MalformedAssertion(format!("header: {e}")))?;
    if !ALLOWED_ALGS.contains(&header.alg) {
        return Err(ClientAuthError::AlgorithmNotAllowed(header.alg));
    }
    URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| malformed("signature is not base64url"))?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| malformed("payload is not base64url"))?;
    let issuer: Issuer =
        serde_json::from_slice(&payload).map_err(|_| malformed("payload is not a JSON object"))?;
    Ok(Assertion {
        token,
        header,
        unverified_issuer: issuer.iss.or(issuer.sub),
    })
}

/// The claims of a client assertion that we check. Times are JSON numbers, possibly with a
/// fraction (RFC 7519 §2 NumericDate).
#[derive(Debug, Deserialize)]
struct AssertionClaims {
    iss: Option<String>,
    sub: Option<String>,
    aud: Option<Audience>,
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
    jti: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn names_any(&self, audiences: &[&str]) -> bool {
        match self {
            Self::One(aud) => audiences.contains(&aud.as_str()),
            Self::Many(auds) => auds.iter().any(|aud| audiences.contains(&aud.as_str())),
        }
    }
}

/// Everything needed to verify one assertion.
pub(super) struct Verifier<'a> {
    pub(super) jwks: &'a JwksCache,
    pub(super) audiences: &'a [&'a str],
    pub(super) replay: &'a (dyn ReplayStore + Sync),
    pub(super) now: UnixTime,
}

impl Verifier<'_> {
    /// Verifies the signature with the client's keys, then the claims (RFC 7523 §3), then
    /// records the `jti` so the assertion cannot be used again.
    pub(super) async fn verify(
        &self,
        assertion: &Assertion<'_>,
        client: &Client,
    ) -> Result<(), ClientAuthError> {
        let claims = self
            .verify_signature(assertion.token, &assertion.header, client)
            .await?;
        let (jti, exp) = check_claims(&claims, &client.client_id, self.audiences, self.now)?;
        let fresh = self
            .replay
            .remember_jti(&client.client_id, jti, exp.saturating_add(LEEWAY))
            .await?;
        if !fresh {
            return Err(ClientAuthError::InvalidAssertion(
                "client assertion jti was already used",
            ));
        }
        Ok(())
    }

    async fn verify_signature(
        &self,
        token: &str,
        header: &Header,
        client: &Client,
    ) -> Result<AssertionClaims, ClientAuthError> {
        let bad_signature = || ClientAuthError::BadSignature(client.client_id.clone());
        let unavailable = |e: jwks::JwksFetchError| ClientAuthError::JwksUnavailable {
            client_id: client.client_id.clone(),
            reason: e.to_string(),
        };
        let kid = header.kid.as_deref();
        let uri = match client.keys() {
            Some(ClientKeys::Inline(set)) => {
                let keys = jwks::candidate_keys(set, header.alg, kid);
                return decode_with_any(token, header.alg, &keys)?.ok_or_else(bad_signature);
            }
            Some(ClientKeys::Remote(uri)) => uri,
            None => return Err(bad_signature()),
        };
        let set = self.jwks.get(uri, self.now).await.map_err(unavailable)?;
        let keys = jwks::candidate_keys(&set, header.alg, kid);
        if let Some(claims) = decode_with_any(token, header.alg, &keys)? {
            return Ok(claims);
        }
        // A kid we have not seen may be a key the client just rotated in: fetch once more.
        if kid.is_some_and(|kid| !jwks::has_kid(&set, kid))
            && let Some(set) = self
                .jwks
                .refresh(uri, self.now)
                .await
                .map_err(unavailable)?
        {
            let keys = jwks::candidate_keys(&set, header.alg, kid);
            return decode_with_any(token, header.alg, &keys)?.ok_or_else(bad_signature);
        }
        Err(bad_signature())
    }
}

/// Tries each key; `None` when none verifies the signature. The token's shape was checked by
/// [`parse_assertion`], so other errors can only come from claims that are not what RFC 7523
/// says, in a correctly signed token. Claims are checked by
/// [`check_claims`] against the injected time, so jsonwebtoken's own (wall-clock) checks are off.
fn decode_with_any(
    token: &str,
    alg: Algorithm,
    keys: &[DecodingKey],
) -> Result<Option<AssertionClaims>, ClientAuthError> {
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    for key in keys {
        match jsonwebtoken::decode::<AssertionClaims>(token, key, &validation) {
            Ok(data) => return Ok(Some(data.claims)),
            Err(e) if is_signature_mismatch(&e) => continue,
            Err(e) => return Err(ClientAuthError::MalformedAssertion(e.to_string())),
        }
    }
    Ok(None)
}

fn is_signature_mismatch(error: &jsonwebtoken::errors::Error) -> bool {
    use jsonwebtoken::errors::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::InvalidSignature
            | ErrorKind::InvalidAlgorithm
            | ErrorKind::InvalidKeyFormat
            | ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::Crypto(_)
    )
}

/// RFC 7523 §3 checks on a signed assertion. Returns its `jti` and `exp`.
fn check_claims<'c>(
    claims: &'c AssertionClaims,
    client_id: &str,
    audiences: &[&str],
    now: UnixTime,
) -> Result<(&'c str, UnixTime), ClientAuthError> {
    let invalid = ClientAuthError::InvalidAssertion;
    if claims.iss.as_deref() != Some(client_id) {
        return Err(invalid("client assertion iss must be the client_id"));
    }
    if claims.sub.as_deref() != Some(client_id) {
        return Err(invalid("client assertion sub must be the client_id"));
    }
    if !claims
        .aud
        .as_ref()
        .is_some_and(|aud| aud.names_any(audiences))
    {
        return Err(invalid(
            "client assertion aud must be the issuer or the endpoint URL",
        ));
    }
    let exp = claims
        .exp
        .map(numeric_date)
        .ok_or(invalid("client assertion must have exp"))?;
    if now > exp.saturating_add(LEEWAY) {
        return Err(invalid("client assertion has expired"));
    }
    if exp > now.saturating_add(MAX_LIFETIME + LEEWAY) {
        return Err(invalid(
            "client assertion exp is more than 10 minutes in the future",
        ));
    }
    if claims
        .nbf
        .map(numeric_date)
        .is_some_and(|nbf| nbf > now + LEEWAY)
    {
        return Err(invalid("client assertion is not valid yet (nbf)"));
    }
    if claims
        .iat
        .map(numeric_date)
        .is_some_and(|iat| iat > now + LEEWAY)
    {
        return Err(invalid("client assertion iat is in the future"));
    }
    let jti = claims.jti.as_deref().unwrap_or_default();
    if jti.is_empty() || jti.len() > MAX_JTI_LEN {
        return Err(invalid(
            "client assertion must have a jti of at most 255 characters",
        ));
    }
    Ok((jti, exp))
}

/// Seconds since the epoch, fractions dropped; absurd values saturate.
fn numeric_date(value: f64) -> UnixTime {
    // `as` saturates at the i64 bounds and maps NaN to 0, which the checks then refuse.
    value.floor() as UnixTime
}
