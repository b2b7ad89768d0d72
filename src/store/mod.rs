//! Storage behind narrow traits. Protocol code sees only these traits; `SqliteStore` and
//! `PgStore` implement them, selected once at start-up by the database URL's scheme.
//!
//! Every secret (authorization code, refresh token, access token, session id, pending request
//! handle) is stored and looked up only by its SHA-256 digest (`crate::crypto::token_hash`).
//! One-shot operations are single trait methods, atomic inside the database.

mod connections;
mod esign;
mod import;
mod passkeys;
mod postgres;
mod sql;
mod sqlite;
#[cfg(test)]
mod tests;
mod types;

use std::sync::Arc;

use async_trait::async_trait;

use crate::clock::UnixTime;
pub use esign::*;
pub use import::*;
pub use passkeys::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use types::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint was violated; the string names the field (`username`, `email`,
    /// `phone`, `pinfl`, ...).
    #[error("{0} is already in use")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From a statement run directly on SQLite (`sqlite::direct`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A write that depended on an earlier one was rolled back because that one failed.
    #[error("not committed: {0}")]
    NotCommitted(&'static str),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait AccountStore {
    /// Creates an account. A duplicate username, email, phone or PINFL is `Conflict(field)`.
    async fn create_account(&self, account: &Account) -> StoreResult<()>;
    async fn account(&self, id: &str) -> StoreResult<Option<Account>>;
    /// Finds an account by what a citizen types as their login: username, email, phone or
    /// PINFL (already normalised by the caller: lower-case username/email, E.164 phone).
    async fn account_by_login(&self, login: &str) -> StoreResult<Option<Account>>;
    /// A password sign-in's reads in one round trip: the account `login` names (as
    /// `account_by_login`) and the throttle records of both `throttle_keys` (as
    /// `ThrottleStore::throttles`).
    async fn sign_in_reads(
        &self,
        login: &str,
        throttle_keys: [&str; 2],
    ) -> StoreResult<SignInReads>;
    async fn set_password_hash(&self, id: &str, hash: &str, now: UnixTime) -> StoreResult<()>;
    async fn count_accounts(&self) -> StoreResult<i64>;
}

#[async_trait]
pub trait SessionStore {
    /// Stores a session; returns whether its account requires a second factor (the value
    /// `session()` reads back as `Session::second_factor_required`).
    async fn create_session(&self, session: &Session) -> StoreResult<bool>;
    /// The session with this id hash if it has not expired at `now`.
    async fn session(&self, id_hash: &[u8], now: UnixTime) -> StoreResult<Option<Session>>;
    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()>;
}

#[async_trait]
pub trait AuthRequestStore {
    /// Stores a validated authorization request while the citizen signs in or consents.
    async fn put_auth_request(&self, request: &PendingAuthRequest) -> StoreResult<()>;
    async fn auth_request(
        &self,
        id_hash: &[u8],
        now: UnixTime,
    ) -> StoreResult<Option<PendingAuthRequest>>;
    /// Removes the request; returns whether it was still there (single use).
    async fn take_auth_request(&self, id_hash: &[u8]) -> StoreResult<bool>;
}

#[async_trait]
pub trait ConsentStore {
    /// The scopes the citizen has already granted this client (space-separated), if any.
    /// They are recorded with the grant a consent leads to (`GrantStore::create_grant_with_code`).
    async fn consent(&self, account_id: &str, client_id: &str) -> StoreResult<Option<String>>;
}

#[async_trait]
pub trait GrantStore {
    /// Creates the grant and its authorization code in one transaction, which also ends the
    /// pending authorization request `finished_request` (its id hash) when one is given.
    /// `false` (and nothing written) when that request had already ended, so each pending
    /// request yields one code at most, or when the grant's session (`Grant::session_id_hash`)
    /// has ended or, having no second factor (`second_factor_unproven`), belongs to an
    /// account that now requires one. `consented_scope`, when given, is added to the scopes
    /// the citizen has granted the grant's client (these first, then the earlier ones not among
    /// them), in the same transaction and only when the code is issued.
    async fn create_grant_with_code(
        &self,
        grant: &Grant,
        code: &AuthorizationCode,
        finished_request: Option<&[u8]>,
        consented_scope: Option<&str>,
        second_factor_unproven: bool,
    ) -> StoreResult<bool>;
    /// Redeems a code exactly once (atomic conditional update). A code already redeemed is
    /// reported as `Replayed` with its grant id so the caller can revoke the grant.
    async fn redeem_code(&self, code_hash: &[u8], now: UnixTime) -> StoreResult<CodeRedemption>;
    async fn grant(&self, grant_id: &str) -> StoreResult<Option<Grant>>;
    /// Revokes a grant: its refresh tokens stop working at once, and a revocation record
    /// (kept until `keep_until`, when its last access token has expired) tells every node to
    /// refuse its access tokens.
    async fn revoke_grant(
        &self,
        grant_id: &str,
        now: UnixTime,
        keep_until: UnixTime,
    ) -> StoreResult<()>;

    async fn insert_refresh_token(&self, token: &RefreshToken) -> StoreResult<()>;
    /// Rotates a refresh token atomically (one statement on PostgreSQL, one write on SQLite's one
    /// writer): the new one is stored under the old one's grant (`new.grant_id` is not
    /// consulted, so a caller cannot move a token to another grant), only if the old one was
    /// unused, unexpired and its grant live. A second rotation of the same token is `Reused`.
    async fn rotate_refresh_token(
        &self,
        old_hash: &[u8],
        new: &RefreshToken,
        now: UnixTime,
    ) -> StoreResult<RefreshRotation>;
    /// The grant a refresh token belongs to (one query), to check its owner before rotating.
    async fn grant_of_refresh_token(&self, token_hash: &[u8]) -> StoreResult<Option<Grant>>;
    /// Looks a refresh token up without changing it (introspection, revocation).
    async fn refresh_token(&self, token_hash: &[u8]) -> StoreResult<Option<RefreshToken>>;

    /// Records the revocation of one access token (by `jti`) until it expires.
    async fn revoke_access_token(
        &self,
        jti: &str,
        now: UnixTime,
        expires_at: UnixTime,
    ) -> StoreResult<()>;
    /// The revocations recorded at or after `since` that still matter at `now`.
    async fn revocations(&self, since: UnixTime, now: UnixTime) -> StoreResult<Vec<Revocation>>;
}

#[async_trait]
pub trait ReplayStore {
    /// Remembers a client assertion `jti` until `expires_at`. Returns false when the same
    /// client already used it (a replay).
    async fn remember_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: UnixTime,
    ) -> StoreResult<bool>;
}

#[async_trait]
pub trait ThrottleStore {
    /// The failure records of two throttle keys (`login:<id>`, `ip:<addr>`; the same key twice
    /// asks for one), in one query: a sign-in reads both before hashing.
    async fn throttles(&self, first: &str, second: &str) -> StoreResult<Vec<ThrottleRecord>>;
    /// The failure record for one throttle key.
    async fn throttle(&self, key: &str) -> StoreResult<Option<ThrottleRecord>> {
        Ok(self.throttles(key, key).await?.into_iter().next())
    }
    /// Records one more failure, returning the updated record. `lock_for` computes the new
    /// lock duration in seconds from the new failure count.
    async fn record_failure(
        &self,
        key: &str,
        now: UnixTime,
        lock_for: fn(i64) -> i64,
    ) -> StoreResult<ThrottleRecord>;
    async fn clear_failures(&self, key: &str) -> StoreResult<()>;
}

#[async_trait]
pub trait Store:
    AccountStore
    + SessionStore
    + AuthRequestStore
    + ConsentStore
    + GrantStore
    + ReplayStore
    + ThrottleStore
    + PasskeyStore
    + EsignStore
    + ImportStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Applies the embedded migrations of this backend.
    async fn migrate(&self) -> StoreResult<()>;
    /// Deletes rows that expired before `now` (codes, sessions, requests, tokens, jtis,
    /// WebAuthn ceremonies).
    async fn purge_expired(&self, now: UnixTime) -> StoreResult<u64>;
}

pub type SharedStore = Arc<dyn Store>;

/// Opens the store named by a `sqlite://…` or `postgres://…` URL. SQLite files are created when
/// missing.
pub async fn connect(url: &str, max_connections: u32) -> StoreResult<SharedStore> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url, max_connections).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PgStore::connect(url, max_connections).await?))
    } else {
        Err(StoreError::Corrupt(format!(
            "unsupported database URL scheme in {url:?}: use sqlite://… or postgres://…"
        )))
    }
}
