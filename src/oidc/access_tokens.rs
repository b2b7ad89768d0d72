//! Our access tokens (RFC 9068) are self-contained ES256 JWTs: nothing is written per token.
//! Introspection and UserInfo verify a token's signature once and then find it by hash in a
//! bounded cache; what a JWT cannot carry, its revocation, is recorded in the store (by `jti`,
//! or by the grant that issued it) and mirrored in memory on every node — at once on the node
//! that revokes, within `caches.revocation_sync_seconds` on the others.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use dashmap::DashMap;
use serde::Deserialize;

use crate::clock::UnixTime;
use crate::crypto::sha256_array;
use crate::keys::KeyRing;
use crate::store::{Store, StoreResult, revoked};

/// Longer than any access token is a valid size: refused before hashing.
const MAX_TOKEN_LEN: usize = 4096;

/// How far back each synchronisation looks before the previous one: covers transactions that
/// committed late and clocks that differ between nodes (revocations are idempotent).
const SYNC_OVERLAP: i64 = 60;

/// The claims of an access token we signed, as our endpoints need them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccessTokenClaims {
    pub jti: String,
    pub client_id: String,
    /// The citizen's account id, or the client id for `client_credentials` tokens.
    pub sub: String,
    /// The grant the token was issued from; absent for `client_credentials` tokens.
    #[serde(default)]
    pub grant_id: Option<String>,
    #[serde(default)]
    pub scope: String,
    pub iat: UnixTime,
    pub exp: UnixTime,
}

impl AccessTokenClaims {
    /// The citizen the token speaks for (`None`: the client itself).
    pub fn account_id(&self) -> Option<&str> {
        self.grant_id.as_ref().map(|_| self.sub.as_str())
    }
}

/// Verified-token cache and the revocations every node must honour.
pub struct AccessTokens {
    issuer: String,
    /// Tokens whose signature and issuer checked out, by SHA-256 of the token. Expiry and
    /// revocation are checked on every use, never cached.
    verified: quick_cache::sync::Cache<[u8; 32], Arc<AccessTokenClaims>>,
    /// Revoked token `jti`s and grant ids, each with the time after which it no longer matters.
    revoked_tokens: DashMap<String, UnixTime>,
    revoked_grants: DashMap<String, UnixTime>,
    /// When the revocations were last read from the store (0: never).
    synced_at: AtomicI64,
}

impl std::fmt::Debug for AccessTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessTokens")
            .field("verified", &self.verified.len())
            .field("revoked_tokens", &self.revoked_tokens.len())
            .field("revoked_grants", &self.revoked_grants.len())
            .finish()
    }
}

impl AccessTokens {
    pub fn new(issuer: &str, cache_capacity: usize) -> Self {
        Self {
            issuer: issuer.to_owned(),
            verified: quick_cache::sync::Cache::new(cache_capacity.max(1)),
            revoked_tokens: DashMap::new(),
            revoked_grants: DashMap::new(),
            synced_at: AtomicI64::new(0),
        }
    }

    /// The claims of `token` if it is an access token we signed (RFC 9068 §4: `typ` `at+jwt`,
    /// our issuer and audience), unexpired at `now` and not revoked.
    pub fn verify(
        &self,
        keys: &KeyRing,
        token: &str,
        now: UnixTime,
    ) -> Option<Arc<AccessTokenClaims>> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return None;
        }
        let key = sha256_array(token.as_bytes());
        let claims = match self.verified.get(&key) {
            Some(claims) => claims,
            None => {
                let claims = Arc::new(self.check_signature(keys, token)?);
                self.verified.insert(key, Arc::clone(&claims));
                claims
            }
        };
        (claims.exp > now && !self.is_revoked(&claims)).then_some(claims)
    }

    fn check_signature(&self, keys: &KeyRing, token: &str) -> Option<AccessTokenClaims> {
        let jws = keys.verify(token).ok()?;
        let ours = jws.typ.as_deref() == Some("at+jwt")
            && jws.claims["iss"] == self.issuer.as_str()
            && jws.claims["aud"] == self.issuer.as_str();
        if !ours {
            return None;
        }
        serde_json::from_value(jws.claims).ok()
    }

    fn is_revoked(&self, claims: &AccessTokenClaims) -> bool {
        self.revoked_tokens.contains_key(&claims.jti)
            || claims
                .grant_id
                .as_ref()
                .is_some_and(|grant| self.revoked_grants.contains_key(grant))
    }

    /// Notes a revocation this node just recorded in the store.
    pub fn remember(&self, kind: &str, id: &str, expires_at: UnixTime) {
        let set = if kind == revoked::GRANT {
            &self.revoked_grants
        } else {
            &self.revoked_tokens
        };
        set.insert(id.to_owned(), expires_at);
    }

    /// Reads the revocations recorded since the last synchronisation (all live ones the first
    /// time) and forgets those that no longer matter.
    pub async fn sync(&self, store: &dyn Store, now: UnixTime) -> StoreResult<usize> {
        let last = self.synced_at.load(Ordering::Acquire);
        let since = if last == 0 { 0 } else { last - SYNC_OVERLAP };
        let found = store.revocations(since, now).await?;
        for revocation in &found {
            self.remember(&revocation.kind, &revocation.id, revocation.expires_at);
        }
        self.revoked_tokens.retain(|_, until| *until > now);
        self.revoked_grants.retain(|_, until| *until > now);
        self.synced_at.store(now.max(1), Ordering::Release);
        Ok(found.len())
    }
}

impl super::provider::Provider {
    /// The access token with this value if we signed it and it is unexpired and unrevoked.
    pub fn active_access_token(&self, token: &str) -> Option<Arc<AccessTokenClaims>> {
        self.access_tokens.verify(&self.keys, token, self.now())
    }

    /// Revokes a grant (refresh tokens at once, its access tokens on every node) and tells
    /// this node's cache straight away.
    pub async fn revoke_grant(&self, grant_id: &str) -> StoreResult<()> {
        let now = self.now();
        let keep_until = now + self.lifetimes.access_token;
        self.store.revoke_grant(grant_id, now, keep_until).await?;
        self.access_tokens
            .remember(revoked::GRANT, grant_id, keep_until);
        Ok(())
    }

    /// Revokes one access token until it expires.
    pub async fn revoke_access_token(&self, claims: &AccessTokenClaims) -> StoreResult<()> {
        self.store
            .revoke_access_token(&claims.jti, self.now(), claims.exp)
            .await?;
        self.access_tokens
            .remember(revoked::ACCESS_TOKEN, &claims.jti, claims.exp);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
