//! The provider's signing-key ring: RS256 and ES256 keys on disk, their lifecycle (active →
//! retiring → retired), the published JWKS, and compact JWS signing and verification.
//!
//! Layout of the keys directory (default `keys/`):
//!
//! ```text
//! keys/
//!   signing/              0700, git-ignored
//!     keys.toml           manifest: one [[keys]] entry per key (see `manifest`)
//!     rs256-<t>-<kid>.pem PKCS#8 PEM private keys, 0600
//!     es256-<t>-<kid>.pem
//! ```
//!
//! Key status is derived from the manifest and the injected time `now`: a key without
//! `retire_at` is active, one whose `retire_at` lies in the future is retiring (published and
//! verified, never used to sign), and one whose `retire_at` has passed is retired (ignored; its
//! file may stay on disk). Private keys are parsed once, at load time, into ring key pairs.

mod files;
mod jws;
mod manifest;
mod material;
mod public_key;
#[cfg(test)]
mod tests;

/// A key ring generated once per test process (RSA generation is slow), for other modules'
/// unit tests.
#[cfg(test)]
pub(crate) fn test_ring() -> &'static KeyRing {
    &tests::shared().ring
}

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ring::rand::SystemRandom;

use crate::clock::UnixTime;
use manifest::{Manifest, ManifestEntry};
use material::SigningKeyPair;
use public_key::PublicKey;

/// The JWS algorithms the provider signs with (RFC 7518 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 over a 2048-bit RSA key; mandatory for OIDC providers.
    RS256,
    /// ECDSA on P-256 with SHA-256, fixed-length `r || s` signatures (RFC 7518 §3.4).
    ES256,
}

impl SigningAlg {
    /// Every supported algorithm; the ring keeps one active key for each.
    pub const ALL: [Self; 2] = [Self::RS256, Self::ES256];

    /// The JOSE name (`"RS256"`, `"ES256"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::ES256 => "ES256",
        }
    }
}

impl fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SigningAlg {
    type Err = KeyError;

    /// Parses a JOSE `alg` name. Anything else, including `none` and HMAC algorithms, is
    /// [`KeyError::UnsupportedAlg`].
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "RS256" => Ok(Self::RS256),
            "ES256" => Ok(Self::ES256),
            // The name may come from an untrusted token header: keep the error message short.
            other => Err(KeyError::UnsupportedAlg(other.chars().take(32).collect())),
        }
    }
}

/// Where a key is in its lifecycle, as of a given time. Ordered by lifecycle stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyStatus {
    /// Signs new tokens; published.
    Active,
    /// Published and accepted for verification until its retire time; no longer signs.
    Retiring,
    /// Neither published nor accepted.
    Retired,
}

impl KeyStatus {
    /// Lower-case name, as shown by `keys list`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Retiring => "retiring",
            Self::Retired => "retired",
        }
    }

    /// Whether keys in this status are in the JWKS and accepted by [`KeyRing::verify`].
    pub fn is_published(self) -> bool {
        matches!(self, Self::Active | Self::Retiring)
    }
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Public description of one key in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// RFC 7638 JWK thumbprint (base64url SHA-256), used as the JWS `kid`.
    pub kid: String,
    pub alg: SigningAlg,
    /// Status as of the time the ring was loaded (or rotated).
    pub status: KeyStatus,
    pub created_at: UnixTime,
    /// When a retiring key becomes retired; `None` while the key is active.
    pub retire_at: Option<UnixTime>,
    /// Path of the PKCS#8 PEM private key file.
    pub file: PathBuf,
}

/// A JWS whose signature checked out against one of the published keys.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJws {
    /// The protected header's `typ`, if present.
    pub typ: Option<String>,
    pub kid: String,
    pub alg: SigningAlg,
    /// The payload, always a JSON object. `exp`, `iss`, `aud` are not checked here.
    pub claims: serde_json::Value,
}

/// Everything that can go wrong loading keys, signing or verifying.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: invalid key manifest: {reason}", path.display())]
    Manifest { path: PathBuf, reason: String },
    #[error("{}: not a usable {alg} PKCS#8 private key: {reason}", path.display())]
    InvalidKey {
        path: PathBuf,
        alg: SigningAlg,
        reason: String,
    },
    #[error("{}: key thumbprint {actual} does not match the manifest kid {expected}", path.display())]
    KidMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("generating a {alg} key failed: {reason}")]
    Generation { alg: SigningAlg, reason: String },
    #[error("unsupported alg: {0}")]
    UnsupportedAlg(String),
    #[error("no active {0} signing key")]
    NoActiveKey(SigningAlg),
    #[error("the retiring period must not be negative (got {0} s)")]
    NegativeRetiringPeriod(i64),
    #[error("JWT claims must be a JSON object")]
    ClaimsNotObject,
    #[error("signing with the {0} key failed")]
    Signing(SigningAlg),
    #[error("malformed JWS: {0}")]
    MalformedToken(&'static str),
    #[error("JWS critical header parameters are not supported")]
    UnsupportedCriticalHeader,
    #[error("JWS kid is not one of the published keys")]
    UnknownKid,
    #[error("JWS alg {header} does not match the {key} key it names")]
    AlgMismatch { header: SigningAlg, key: SigningAlg },
    #[error("JWS signature is invalid")]
    BadSignature,
}

/// An active key, ready to sign.
struct ActiveKey {
    kid: String,
    pair: SigningKeyPair,
}

/// The loaded signing keys. Build once at start-up, share behind an `Arc`.
pub struct KeyRing {
    /// Every manifest entry, with status as of load time, in [`KeyRing::keys`] order.
    infos: Vec<KeyInfo>,
    /// The one active key per algorithm.
    active: HashMap<SigningAlg, ActiveKey>,
    /// Public keys of active and retiring keys, by kid.
    published: HashMap<String, PublicKey>,
    jwks_json: String,
    rng: SystemRandom,
}

impl KeyRing {
    /// Loads `dir/signing` (`dir` is the keys directory, e.g. `keys/`), first generating a key
    /// for each algorithm (RS256, ES256) that has no active key. RSA generation takes a
    /// moment: call this at start-up, not on a request path.
    pub fn load_or_generate(dir: &Path, now: UnixTime) -> Result<Self, KeyError> {
        let signing_dir = files::ensure_signing_dir(dir)?;
        let mut manifest = Manifest::read(&signing_dir)?;
        let missing: Vec<SigningAlg> = SigningAlg::ALL
            .into_iter()
            .filter(|alg| manifest.active_entry(*alg).is_none())
            .collect();
        if !missing.is_empty() {
            for alg in missing {
                let entry = material::generate_key_file(&signing_dir, alg, now)?;
                tracing::info!(kid = %entry.kid, %alg, "generated signing key");
                manifest.keys.push(entry);
            }
            manifest.write(&signing_dir)?;
        }
        Self::from_manifest(&signing_dir, &manifest, now)
    }

    /// Loads `dir/signing` without generating anything; a missing directory or manifest gives
    /// an empty ring.
    pub fn load(dir: &Path, now: UnixTime) -> Result<Self, KeyError> {
        let signing_dir = files::signing_dir(dir);
        let manifest = Manifest::read(&signing_dir)?;
        Self::from_manifest(&signing_dir, &manifest, now)
    }

    /// Adds a new active key for every algorithm; the previously active keys become retiring
    /// and retire at `now + retiring_period` (seconds; 0 retires them at once, e.g. after a
    /// compromise). Returns every key with its status as of `now`. A running server picks the
    /// change up when it reloads the ring.
    pub fn rotate(
        dir: &Path,
        now: UnixTime,
        retiring_period: i64,
    ) -> Result<Vec<KeyInfo>, KeyError> {
        if retiring_period < 0 {
            return Err(KeyError::NegativeRetiringPeriod(retiring_period));
        }
        let signing_dir = files::ensure_signing_dir(dir)?;
        let mut manifest = Manifest::read(&signing_dir)?;
        let mut new_entries = Vec::with_capacity(SigningAlg::ALL.len());
        for alg in SigningAlg::ALL {
            let entry = material::generate_key_file(&signing_dir, alg, now)?;
            tracing::info!(kid = %entry.kid, %alg, "generated signing key for rotation");
            new_entries.push(entry);
        }
        manifest.retire_active(now.saturating_add(retiring_period));
        manifest.keys.extend(new_entries);
        manifest.write(&signing_dir)?;
        Ok(Self::from_manifest(&signing_dir, &manifest, now)?.keys())
    }

    /// Every key in the manifest with its status as of load time: active keys first, then
    /// retiring, then retired, newest first within each status.
    pub fn keys(&self) -> Vec<KeyInfo> {
        self.infos.clone()
    }

    /// Signs `claims` (anything that serialises to a JSON object) as a compact JWS
    /// (RFC 7515 §7.1) with header `{"alg","kid","typ"}`, using the active key of `alg`.
    pub fn sign<C: serde::Serialize + ?Sized>(
        &self,
        alg: SigningAlg,
        typ: &str,
        claims: &C,
    ) -> Result<String, KeyError> {
        let key = self.active.get(&alg).ok_or(KeyError::NoActiveKey(alg))?;
        jws::sign(&key.pair, &key.kid, typ, claims, &self.rng)
    }

    /// Verifies a compact JWS made with one of the published (active or retiring) keys, found
    /// by the header's `kid`; the header's `alg` must be that key's algorithm. Does not check
    /// `exp`, `iss` or `aud`: the caller does.
    pub fn verify(&self, token: &str) -> Result<VerifiedJws, KeyError> {
        jws::verify(token, |kid| self.published.get(kid))
    }

    /// The JWKS document (RFC 7517 §5) of the active and retiring keys, serialised at load.
    pub fn jwks_json(&self) -> &str {
        &self.jwks_json
    }

    /// The algorithms that have an active key, for `id_token_signing_alg_values_supported`.
    pub fn algs(&self) -> Vec<SigningAlg> {
        SigningAlg::ALL
            .into_iter()
            .filter(|alg| self.active.contains_key(alg))
            .collect()
    }

    /// Parses the key files of the manifest's published keys and precomputes the JWKS.
    fn from_manifest(
        signing_dir: &Path,
        manifest: &Manifest,
        now: UnixTime,
    ) -> Result<Self, KeyError> {
        let mut entries: Vec<&ManifestEntry> = manifest.keys.iter().collect();
        entries.sort_by_key(|entry| (entry.status(now), std::cmp::Reverse(entry.created_at)));
        let rng = SystemRandom::new();
        let mut ring = Self {
            infos: Vec::with_capacity(entries.len()),
            active: HashMap::new(),
            published: HashMap::new(),
            jwks_json: String::new(),
            rng,
        };
        let mut jwks = Vec::new();
        for entry in entries {
            let info = entry.info(signing_dir, now);
            if info.status.is_published() {
                let pair = material::load_key_file(&info.file, entry.alg, &entry.kid, &ring.rng)?;
                let public = pair.public_key();
                jwks.push(public.jwk(&entry.kid));
                ring.published.insert(entry.kid.clone(), public);
                if info.status == KeyStatus::Active {
                    let kid = entry.kid.clone();
                    ring.active.insert(entry.alg, ActiveKey { kid, pair });
                }
            }
            ring.infos.push(info);
        }
        ring.jwks_json = serde_json::json!({ "keys": jwks }).to_string();
        Ok(ring)
    }
}

impl fmt::Debug for KeyRing {
    /// Lists kids, algorithms and statuses only; never key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self
            .infos
            .iter()
            .map(|info| format!("{} {} {}", info.alg, info.kid, info.status))
            .collect();
        f.debug_struct("KeyRing").field("keys", &keys).finish()
    }
}
