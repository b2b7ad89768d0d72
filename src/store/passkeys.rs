//! Passkeys (WebAuthn credentials), the WebAuthn ceremonies in progress, and the account's
//! "require a second factor" switch.
//!
//! Ceremony state lives in the database, not in process memory, so any provider node can finish
//! a ceremony another node started; taking it is one atomic `DELETE … RETURNING`, so it is used
//! at most once.

use async_trait::async_trait;

use super::StoreResult;
use crate::clock::UnixTime;

/// A registered passkey.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredPasskey {
    /// The WebAuthn credential id (raw bytes).
    pub credential_id: Vec<u8>,
    pub account_id: String,
    /// The citizen's name for it ("Phone", "Office key").
    pub name: String,
    /// webauthn-rs's `Passkey` as JSON: public key, counter and flags.
    pub passkey: String,
    pub created_at: UnixTime,
    pub last_used_at: Option<UnixTime>,
    /// The credential may be synced to other devices (the BE flag).
    pub backup_eligible: bool,
    /// The credential is synced right now (the BS flag).
    pub backup_state: bool,
    /// The authenticator's signature counter at the last use (0 when it keeps none).
    pub sign_count: i64,
}

/// What an authentication changed on a passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyUse {
    /// The updated `Passkey` JSON.
    pub passkey: String,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub used_at: UnixTime,
}

/// The outcome of removing a passkey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeyRemoval {
    Removed,
    /// Refused: the account has no password and this is its only passkey.
    LastSignInMethod,
    /// No such passkey on this account.
    NotFound,
}

/// A WebAuthn ceremony in progress.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebauthnCeremony {
    /// SHA-256 of the ceremony id handed to the browser.
    pub id_hash: Vec<u8>,
    /// What the ceremony is for (`register`, `login`, `second_factor`).
    pub kind: String,
    /// webauthn-rs's ceremony state as JSON.
    pub state: String,
    /// The account, when the ceremony is for a known one.
    pub account_id: Option<String>,
    /// SHA-256 of what ties the ceremony to one browser (its CSRF cookie or its session).
    pub binding_hash: Vec<u8>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

#[async_trait]
pub trait PasskeyStore {
    /// Registers a passkey. A credential id that is already registered (to anyone) is
    /// `Conflict("primary key")`.
    async fn insert_passkey(&self, passkey: &StoredPasskey) -> StoreResult<()>;
    async fn passkey(&self, credential_id: &[u8]) -> StoreResult<Option<StoredPasskey>>;
    /// The account's passkeys, oldest first.
    async fn passkeys_for_account(&self, account_id: &str) -> StoreResult<Vec<StoredPasskey>>;
    /// Records a successful authentication (new counter, flags, last use). False when the
    /// passkey no longer exists.
    async fn record_passkey_use(
        &self,
        credential_id: &[u8],
        used: &PasskeyUse,
    ) -> StoreResult<bool>;
    /// Renames one of the account's passkeys; false when the account has no such passkey.
    async fn rename_passkey(
        &self,
        account_id: &str,
        credential_id: &[u8],
        name: &str,
    ) -> StoreResult<bool>;
    /// Removes one of the account's passkeys, unless it is the account's last way to sign in
    /// (no password and no other passkey). Removing the last passkey also clears
    /// `require_second_factor`, which could otherwise never be met. Atomic: two removals racing
    /// cannot leave an account without a sign-in method.
    async fn remove_passkey(
        &self,
        account_id: &str,
        credential_id: &[u8],
        now: UnixTime,
    ) -> StoreResult<PasskeyRemoval>;

    /// Whether a password alone is not enough for this account (false for unknown accounts).
    async fn require_second_factor(&self, account_id: &str) -> StoreResult<bool>;
    async fn set_require_second_factor(
        &self,
        account_id: &str,
        required: bool,
        now: UnixTime,
    ) -> StoreResult<()>;

    async fn put_ceremony(&self, ceremony: &WebauthnCeremony) -> StoreResult<()>;
    /// Takes (deletes and returns) a live ceremony, only when `binding_hash` matches the one
    /// it was started with. At most one caller ever gets it.
    async fn take_ceremony(
        &self,
        id_hash: &[u8],
        binding_hash: &[u8],
        now: UnixTime,
    ) -> StoreResult<Option<WebauthnCeremony>>;
}
