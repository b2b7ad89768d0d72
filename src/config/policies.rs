//! The policy sections of the configuration: token lifetimes, password hashing, sign-in
//! throttling, passkeys and e-signature. Each has its defaults here.

use serde::{Deserialize, Serialize};

/// E-signature sign-in. Enabled when trust anchors exist in `<keys_dir>/esign/roots` (native
/// verification) or `delegate_url` names an e-imzo-server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EsignPolicy {
    pub enabled: bool,
    /// Seconds a challenge stays valid.
    pub challenge_ttl: i64,
    /// Largest accepted difference between `signingTime` and the server clock, in seconds.
    pub signing_time_skew: i64,
    /// `crl` (fail closed without a current CRL), `crl_if_available` or `none` (tests only).
    pub revocation: String,
    /// Accept a CRL past its `nextUpdate` (fails closed by default).
    pub allow_stale_crl: bool,
    /// What a valid signature with an unknown PINFL does: `refuse`, or `create` an account
    /// marked as verified by e-signature.
    pub unknown_pinfl: String,
    /// Hand the whole check to a licensed e-imzo-server (`…/backend/auth`) instead of
    /// verifying natively.
    pub delegate_url: Option<String>,
}

impl Default for EsignPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            challenge_ttl: 120,
            signing_time_skew: 300,
            revocation: "crl".into(),
            allow_stale_crl: false,
            unknown_pinfl: "refuse".into(),
            delegate_url: None,
        }
    }
}

/// Passkeys (WebAuthn). On by default; the relying-party id is the issuer's host, which must
/// then be a domain name (WebAuthn forbids IP addresses).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasskeyPolicy {
    pub enabled: bool,
}

impl Default for PasskeyPolicy {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// Lifetimes in seconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenLifetimes {
    pub authorization_code: i64,
    pub access_token: i64,
    pub id_token: i64,
    /// A single refresh token's lifetime (renewed by rotation).
    pub refresh_token: i64,
    /// Absolute lifetime of a grant: no refresh outlives it.
    pub grant: i64,
    /// SSO session lifetime.
    pub session: i64,
    /// How long a citizen may take on the sign-in and consent pages.
    pub pending_request: i64,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            authorization_code: 60,
            access_token: 300,
            id_token: 300,
            refresh_token: 14 * 86_400,
            grant: 30 * 86_400,
            session: 8 * 3_600,
            pending_request: 15 * 60,
        }
    }
}

/// The in-memory caches that keep the hot endpoints off the database (issue 6).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CachePolicy {
    /// Access tokens whose signature was already verified, remembered by hash (most recent
    /// first); introspection and UserInfo skip the signature check for them. Also bounds the
    /// number of accounts UserInfo keeps and of refresh tokens whose grant a node remembers.
    pub verified_access_tokens: usize,
    /// How often each node reloads the revocations other nodes recorded, in seconds: the
    /// longest a revoked access token stays usable at another node's UserInfo or introspection.
    pub revocation_sync_seconds: u64,
    /// How long UserInfo may serve an account's claims without reading them again, in seconds
    /// (0: read on every call).
    pub userinfo_account_seconds: i64,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            verified_access_tokens: 10_000,
            revocation_sync_seconds: 2,
            userinfo_account_seconds: 10,
        }
    }
}

/// Argon2id parameters. The default is one of OWASP's equal-strength configurations
/// (Password Storage Cheat Sheet): m=12288 KiB, t=3, p=1, chosen over m=19456 KiB, t=2 for
/// the same CPU per hash with a third less memory per concurrent sign-in (SECURITY.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordPolicy {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hashes computed at once; further sign-ins wait. Defaults to the number of cores.
    pub max_concurrent_hashes: usize,
    /// Allows parameters weaker than every OWASP configuration (tests and benchmarks only).
    pub allow_weak_parameters: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            memory_kib: 12_288,
            iterations: 3,
            parallelism: 1,
            max_concurrent_hashes: std::thread::available_parallelism()
                .map(usize::from)
                .unwrap_or(2),
            allow_weak_parameters: false,
        }
    }
}

/// Failed sign-in throttling: after `free_attempts` failures, each further failure locks the
/// key (the typed login, or the client address) for `base_delay * 2^(n - free_attempts)` seconds,
/// up to `max_delay`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThrottlePolicy {
    pub free_attempts: i64,
    pub base_delay: i64,
    pub max_delay: i64,
    /// Failures from one address before it is throttled (addresses are shared by many people).
    pub free_attempts_per_address: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_attempts: 5,
            base_delay: 2,
            max_delay: 900,
            free_attempts_per_address: 50,
        }
    }
}
