//! Validated authorization requests waiting while the citizen signs in (and consents), behind
//! an opaque handle carried in the sign-in page's URL and forms.
//!
//! The database holds them, so any node can continue a request. The node that saved one also
//! keeps it parsed in a bounded cache, so the sign-in page and form that follow (usually on
//! the same node) need no database read. The cache is only a copy: a request ends in the
//! database, and a code is issued only by the command that ends it
//! (`GrantStore::create_grant_with_code`), so a stale copy on another node yields nothing.

use std::sync::Arc;

use super::authorize::AuthorizationRequest;
use super::provider::Provider;
use crate::clock::UnixTime;
use crate::crypto::{time_ordered_token, token_hash};
use crate::store::{PendingAuthRequest, StoreError};

/// Pending requests this node saved, by their storage key (`token_hash` of the handle, as in
/// the database; bounded, most recent first).
pub type PendingRequests = quick_cache::sync::Cache<Vec<u8>, Arc<CachedRequest>>;

/// A pending request as saved, with the end of its life.
#[derive(Debug)]
pub struct CachedRequest {
    request: AuthorizationRequest,
    expires_at: UnixTime,
}

/// Handles are `time_ordered_token()`s; anything much longer is not one of ours.
const MAX_HANDLE_LEN: usize = 64;

impl Provider {
    /// Stores a validated request while the citizen signs in; returns its opaque handle.
    pub async fn save_pending(&self, request: &AuthorizationRequest) -> Result<String, StoreError> {
        let now = self.now();
        let handle = time_ordered_token(now);
        let expires_at = now + self.lifetimes.pending_request;
        let params = serde_json::to_string(request)
            .map_err(|e| StoreError::Corrupt(format!("pending request: {e}")))?;
        let id_hash = token_hash(&handle);
        self.store
            .put_auth_request(&PendingAuthRequest {
                id_hash: id_hash.clone(),
                params,
                created_at: now,
                expires_at,
            })
            .await?;
        self.pending_requests.insert(
            id_hash,
            Arc::new(CachedRequest {
                request: request.clone(),
                expires_at,
            }),
        );
        Ok(handle)
    }

    /// The pending request behind a handle, if it has not expired or been finished.
    pub async fn pending(&self, handle: &str) -> Result<Option<AuthorizationRequest>, StoreError> {
        if handle.is_empty() || handle.len() > MAX_HANDLE_LEN {
            return Ok(None);
        }
        let now = self.now();
        let key = token_hash(handle);
        if let Some(cached) = self.pending_requests.get(&key) {
            return Ok((cached.expires_at > now).then(|| cached.request.clone()));
        }
        // Saved by another node, or dropped from this one's cache.
        let Some(row) = self.store.auth_request(&key, now).await? else {
            return Ok(None);
        };
        serde_json::from_str(&row.params)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("pending request: {e}")))
    }

    /// Ends a pending request (it cannot be used twice).
    pub async fn finish_pending(&self, handle: &str) -> Result<bool, StoreError> {
        self.forget_pending(handle);
        self.store.take_auth_request(&token_hash(handle)).await
    }

    /// Drops this node's copy of a pending request that is ending.
    pub(super) fn forget_pending(&self, handle: &str) {
        self.pending_requests.remove(&token_hash(handle));
    }
}
