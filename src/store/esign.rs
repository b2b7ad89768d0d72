//! E-signature sign-in: single-use challenges, the audit trail of every attempt, accounts
//! verified by e-signature, and the organisation a citizen acts for after signing with a
//! company certificate.

use async_trait::async_trait;

use super::StoreResult;
use crate::clock::UnixTime;

/// A challenge waiting to be signed. Found by the SHA-256 of the challenge text; bound to the
/// browser (hash of its CSRF cookie) and to the pending authorization request.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EsignChallenge {
    pub challenge_hash: Vec<u8>,
    pub binding_hash: Vec<u8>,
    pub request_hash: Vec<u8>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

/// One e-signature sign-in attempt, as support staff see it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EsignAttempt {
    pub id: String,
    pub created_at: UnixTime,
    /// `ok`, or the verifier's precise failure code.
    pub outcome: String,
    /// E-IMZO-style status (1 success, negative codes for failures).
    pub status: i64,
    pub issuer_dn: Option<String>,
    pub serial: Option<String>,
    pub certificate_sha256: Option<String>,
    /// SHA-256 (hex) of the PINFL: the audit trail does not hold personal numbers in clear.
    pub pinfl_hash: Option<String>,
    pub account_id: Option<String>,
    pub client_address: Option<String>,
}

/// The organisation a citizen acts for (company certificate: TIN and name).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ActingOrganization {
    pub tin: String,
    pub name: Option<String>,
}

#[async_trait]
pub trait EsignStore {
    async fn put_esign_challenge(&self, challenge: &EsignChallenge) -> StoreResult<()>;
    /// Consumes a challenge atomically: returns it only if it exists, belongs to this browser
    /// and has not expired; it is gone afterwards either way it was found.
    async fn take_esign_challenge(
        &self,
        challenge_hash: &[u8],
        binding_hash: &[u8],
        now: UnixTime,
    ) -> StoreResult<Option<EsignChallenge>>;
    async fn record_esign_attempt(&self, attempt: &EsignAttempt) -> StoreResult<()>;
    /// The latest attempts, newest first (support tooling and tests).
    async fn recent_esign_attempts(&self, limit: i64) -> StoreResult<Vec<EsignAttempt>>;
    /// Marks an account as verified by a method (`esign`), keeping the first time.
    async fn mark_verified(&self, account_id: &str, method: &str, now: UnixTime)
    -> StoreResult<()>;
    async fn verification_method(&self, account_id: &str) -> StoreResult<Option<String>>;
    async fn set_session_organization(
        &self,
        session_id_hash: &[u8],
        organization: &ActingOrganization,
        expires_at: UnixTime,
    ) -> StoreResult<()>;
    async fn session_organization(
        &self,
        session_id_hash: &[u8],
    ) -> StoreResult<Option<ActingOrganization>>;
    async fn set_grant_organization(
        &self,
        grant_id: &str,
        organization: &ActingOrganization,
    ) -> StoreResult<()>;
    async fn grant_organization(&self, grant_id: &str) -> StoreResult<Option<ActingOrganization>>;
}
