//! The public keys a `private_key_jwt` client signs its assertions with: a JWK Set in the client
//! file (`jwks`) or fetched from the client's `jwks_uri` and cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use url::Url;

use crate::clock::UnixTime;

/// Signature algorithms accepted for client assertions. Never `none` or HMAC: a shared-key
/// assertion would be `client_secret_jwt`, which Yagona ID does not offer.
pub(super) const ALLOWED_ALGS: [Algorithm; 3] =
    [Algorithm::RS256, Algorithm::PS256, Algorithm::ES256];

/// How long a fetched JWK Set is used before it is fetched again.
const CACHE_TTL: i64 = 300;
/// An unknown `kid` triggers a refetch, but not more often than this per `jwks_uri`, so forged
/// assertions cannot make us hammer a client's server.
const MIN_REFETCH_INTERVAL: i64 = 10;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_JWKS_BYTES: usize = 64 * 1024;

/// Where a client's verification keys come from.
#[derive(Debug, Clone)]
pub(crate) enum ClientKeys {
    Inline(JwkSet),
    Remote(Url),
}

/// Parses the `jwks` table of a client file; every key must be usable.
pub(super) fn parse_inline(value: serde_json::Value) -> Result<JwkSet, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawSet {
        keys: Vec<serde_json::Value>,
    }
    let raw: RawSet = serde_json::from_value(value)
        .map_err(|e| format!("must be a JWK Set with [[jwks.keys]] entries: {e}"))?;
    if raw.keys.is_empty() {
        return Err("must contain at least one key".to_owned());
    }
    let mut keys = Vec::with_capacity(raw.keys.len());
    for (index, value) in raw.keys.into_iter().enumerate() {
        let jwk: Jwk = serde_json::from_value(value)
            .map_err(|e| format!("keys[{index}] is not a valid JWK: {e}"))?;
        check_jwk(&jwk).map_err(|m| format!("keys[{index}]: {m}"))?;
        keys.push(jwk);
    }
    Ok(JwkSet { keys })
}

/// Whether a JWK is a public signature key of a type we verify (RSA, or EC on P-256).
fn check_jwk(jwk: &Jwk) -> Result<(), String> {
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => {}
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {}
        _ => return Err("only RSA and EC P-256 keys are supported".to_owned()),
    }
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return Err("\"use\" must be \"sig\"".to_owned());
    }
    if let Some(alg) = jwk.common.key_algorithm
        && !ALLOWED_ALGS.iter().any(|a| key_alg_matches(alg, *a))
    {
        return Err(format!("\"alg\" {alg} is not one of RS256, PS256, ES256"));
    }
    DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable key: {e}"))?;
    Ok(())
}

fn key_alg_matches(key_alg: KeyAlgorithm, alg: Algorithm) -> bool {
    matches!(
        (key_alg, alg),
        (KeyAlgorithm::RS256, Algorithm::RS256)
            | (KeyAlgorithm::PS256, Algorithm::PS256)
            | (KeyAlgorithm::ES256, Algorithm::ES256)
    )
}

/// Whether `jwk` may verify a signature made with `alg` (RFC 7517 §4.4: a key's `alg`, when
/// given, binds it to that algorithm).
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let family_fits = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => matches!(alg, Algorithm::RS256 | Algorithm::PS256),
        AlgorithmParameters::EllipticCurve(ec) => {
            alg == Algorithm::ES256 && ec.curve == EllipticCurve::P256
        }
        _ => false,
    };
    family_fits
        && jwk
            .common
            .key_algorithm
            .is_none_or(|k| key_alg_matches(k, alg))
        && check_jwk(jwk).is_ok()
}

/// The keys of `set` that may have signed a token with this `alg` and `kid`. Without a `kid`,
/// every key of the right type is a candidate.
pub(super) fn candidate_keys(set: &JwkSet, alg: Algorithm, kid: Option<&str>) -> Vec<DecodingKey> {
    set.keys
        .iter()
        .filter(|jwk| kid.is_none_or(|kid| jwk.common.key_id.as_deref() == Some(kid)))
        .filter(|jwk| key_fits(jwk, alg))
        .filter_map(|jwk| DecodingKey::from_jwk(jwk).ok())
        .collect()
}

/// Whether `set` has a key with this id.
pub(super) fn has_kid(set: &JwkSet, kid: &str) -> bool {
    set.find(kid).is_some()
}

/// A failure to obtain a client's JWK Set from its `jwks_uri`.
#[derive(Debug, thiserror::Error)]
#[error("fetching {uri}: {reason}")]
pub(super) struct JwksFetchError {
    uri: String,
    reason: String,
}

#[derive(Debug)]
struct CachedSet {
    keys: Arc<JwkSet>,
    fetched_at: UnixTime,
}

/// Fetched JWK Sets by `jwks_uri`, kept for five minutes.
#[derive(Debug)]
pub(super) struct JwksCache {
    http: reqwest::Client,
    sets: Mutex<HashMap<Url, CachedSet>>,
}

impl JwksCache {
    pub(super) fn new() -> Self {
        // Building fails only if the TLS backend cannot initialise, which leaves no way to run a
        // server at all. No redirects: the registered URI is the one we trust.
        #[allow(clippy::expect_used)]
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(FETCH_TIMEOUT)
            .build()
            .expect("HTTP client for jwks_uri cannot be built");
        Self {
            http,
            sets: Mutex::new(HashMap::new()),
        }
    }

    /// The client's keys: from the cache if fetched less than five minutes ago, else fetched.
    pub(super) async fn get(
        &self,
        uri: &Url,
        now: UnixTime,
    ) -> Result<Arc<JwkSet>, JwksFetchError> {
        if let Some(keys) = self.cached(uri, |fetched_at| now - fetched_at < CACHE_TTL) {
            return Ok(keys);
        }
        self.fetch_and_store(uri, now).await
    }

    /// Fetches the keys again (a `kid` we do not know may be a new key), unless they were
    /// fetched moments ago. `None` means "not refetched".
    pub(super) async fn refresh(
        &self,
        uri: &Url,
        now: UnixTime,
    ) -> Result<Option<Arc<JwkSet>>, JwksFetchError> {
        if self
            .cached(uri, |fetched_at| now - fetched_at < MIN_REFETCH_INTERVAL)
            .is_some()
        {
            return Ok(None);
        }
        self.fetch_and_store(uri, now).await.map(Some)
    }

    fn cached(&self, uri: &Url, fresh: impl Fn(UnixTime) -> bool) -> Option<Arc<JwkSet>> {
        let sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        sets.get(uri)
            .filter(|set| fresh(set.fetched_at))
            .map(|set| Arc::clone(&set.keys))
    }

    async fn fetch_and_store(
        &self,
        uri: &Url,
        now: UnixTime,
    ) -> Result<Arc<JwkSet>, JwksFetchError> {
        let keys = Arc::new(self.fetch(uri).await.map_err(|reason| JwksFetchError {
            uri: uri.to_string(),
            reason,
        })?);
        let mut sets = self.sets.lock().unwrap_or_else(PoisonError::into_inner);
        sets.insert(
            uri.clone(),
            CachedSet {
                keys: Arc::clone(&keys),
                fetched_at: now,
            },
        );
        Ok(keys)
    }

    /// GETs the JWK Set, keeping only the keys usable for client assertions (a set may also
    /// hold encryption keys or key types we do not support).
    async fn fetch(&self, uri: &Url) -> Result<JwkSet, String> {
        #[derive(Deserialize)]
        struct RawSet {
            keys: Vec<serde_json::Value>,
        }
        let body = self.fetch_body(uri).await?;
        let raw: RawSet =
            serde_json::from_slice(&body).map_err(|e| format!("not a JWK Set: {e}"))?;
        let keys = raw
            .keys
            .into_iter()
            .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
            .filter(|jwk| check_jwk(jwk).is_ok())
            .collect();
        Ok(JwkSet { keys })
    }

    async fn fetch_body(&self, uri: &Url) -> Result<Vec<u8>, String> {
        let mut response = self
            .http
            .get(uri.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP status {}", response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(format!("larger than {MAX_JWKS_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
