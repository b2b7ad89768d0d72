//! UserInfo (OIDC Core §5.3) and the claims each scope releases (§5.4).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::error::{ErrorCode, OAuthError};
use super::provider::Provider;
use super::scope::Scopes;
use crate::clock::UnixTime;
use crate::store::{Account, StoreResult};

/// Accounts as this node last read them, reused for `caches.userinfo_account_seconds`: a
/// portal polling UserInfo, or the consent page right after a password sign-in, does not
/// cost a database read per call. Password hashes are dropped before caching.
pub struct AccountClaimsCache {
    max_age: i64,
    entries: quick_cache::sync::Cache<String, (Arc<Account>, UnixTime)>,
}

impl std::fmt::Debug for AccountClaimsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountClaimsCache")
            .field("max_age", &self.max_age)
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl AccountClaimsCache {
    pub fn new(max_age: i64, capacity: usize) -> Self {
        Self {
            max_age,
            entries: quick_cache::sync::Cache::new(capacity.max(1)),
        }
    }
}

impl Provider {
    /// The claims a bearer token may see. Errors are RFC 6750 §3.1 codes.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn userinfo(&self, token: &str) -> Result<Value, OAuthError> {
        let claims = self.active_access_token(token).ok_or_else(|| {
            OAuthError::invalid_token("the access token is invalid, expired or revoked")
        })?;
        let scopes = Scopes::from_stored(&claims.scope);
        let Some(account_id) = claims.account_id() else {
            return Err(OAuthError::invalid_token(
                "the access token does not speak for a citizen",
            ));
        };
        if !scopes.contains("openid") {
            return Err(OAuthError::new(
                ErrorCode::InsufficientScope,
                "the openid scope is required",
            ));
        }
        let account = self
            .recent_account(account_id)
            .await?
            .filter(|a| !a.disabled)
            .ok_or_else(|| OAuthError::invalid_token("the account no longer exists"))?;
        let mut released = claims_for(&account, &scopes);
        if let Some(grant_id) = claims.grant_id.as_deref()
            && let Some(organization) = self.organization_claim(grant_id, &scopes).await?
        {
            released.insert("organization".into(), organization);
        }
        Ok(Value::Object(released))
    }

    /// An account as read within `caches.userinfo_account_seconds` (without its password
    /// hash): from the cache while fresh, else from the store. For what may lag a change by
    /// that long: UserInfo's claims, the name on the consent page.
    pub async fn recent_account(&self, account_id: &str) -> StoreResult<Option<Arc<Account>>> {
        let cache = &self.userinfo_accounts;
        if let Some((account, read_at)) = cache.entries.get(account_id)
            && self.now() - read_at < cache.max_age
        {
            return Ok(Some(account));
        }
        let Some(account) = self.store.account(account_id).await? else {
            return Ok(None);
        };
        Ok(Some(self.remember_account(account)))
    }

    /// Keeps an account just read from the store for [`Provider::recent_account`].
    pub fn remember_account(&self, mut account: Account) -> Arc<Account> {
        account.password_hash = None;
        let account = Arc::new(account);
        let cache = &self.userinfo_accounts;
        if cache.max_age > 0 {
            cache
                .entries
                .insert(account.id.clone(), (Arc::clone(&account), self.now()));
        }
        account
    }

    /// The `organization` claim (`{"tin", "name"}`) when the grant acts for an organisation and
    /// the `organization` scope was granted.
    pub async fn organization_claim(
        &self,
        grant_id: &str,
        scopes: &Scopes,
    ) -> Result<Option<Value>, OAuthError> {
        if !scopes.contains("organization") {
            return Ok(None);
        }
        Ok(self
            .store
            .grant_organization(grant_id)
            .await?
            .map(|o| json!({ "tin": o.tin, "name": o.name })))
    }
}

/// Standard claims by scope (OIDC Core §5.4) plus `pinfl` for the `pinfl` scope. Absent
/// values are omitted, never sent as null (§5.3.2).
pub fn claims_for(account: &Account, scopes: &Scopes) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(account.id));
    let mut put = |name: &str, value: Option<&String>| {
        if let Some(v) = value {
            claims.insert(name.into(), json!(v));
        }
    };
    if scopes.contains("profile") {
        put("given_name", account.given_name.as_ref());
        put("family_name", account.family_name.as_ref());
        put("middle_name", account.middle_name.as_ref());
        put("name", full_name(account).as_ref());
        put("preferred_username", account.username.as_ref());
        put("birthdate", account.birthdate.as_ref());
        put("locale", account.locale.as_ref());
    }
    if scopes.contains("email") {
        put("email", account.email.as_ref());
    }
    if scopes.contains("phone") {
        put("phone_number", account.phone.as_ref());
    }
    if scopes.contains("pinfl") {
        put("pinfl", account.pinfl.as_ref());
    }
    if scopes.contains("profile") {
        claims.insert("updated_at".into(), json!(account.updated_at));
    }
    if scopes.contains("email") && account.email.is_some() {
        claims.insert("email_verified".into(), json!(account.email_verified));
    }
    if scopes.contains("phone") && account.phone.is_some() {
        claims.insert(
            "phone_number_verified".into(),
            json!(account.phone_verified),
        );
    }
    claims
}

/// "Given Family" when either is known.
pub fn full_name(account: &Account) -> Option<String> {
    let parts: Vec<&str> = [&account.given_name, &account.family_name]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            id: "sub-1".into(),
            username: Some("ali".into()),
            email: Some("ali@example.uz".into()),
            email_verified: true,
            phone: Some("+998901234567".into()),
            phone_verified: false,
            pinfl: Some("31234567890123".into()),
            given_name: Some("Ali".into()),
            family_name: Some("Valiyev".into()),
            middle_name: None,
            birthdate: None,
            password_hash: Some("$argon2id$secret".into()),
            locale: None,
            disabled: false,
            created_at: 1,
            updated_at: 2,
        }
    }

    #[test]
    fn claims_follow_scopes() {
        let only_openid = claims_for(&account(), &Scopes::from_stored("openid"));
        assert_eq!(only_openid.len(), 1);
        let all = claims_for(
            &account(),
            &Scopes::from_stored("openid profile email phone pinfl"),
        );
        assert_eq!(all["name"], "Ali Valiyev");
        assert_eq!(all["email_verified"], true);
        assert_eq!(all["phone_number"], "+998901234567");
        assert_eq!(all["pinfl"], "31234567890123");
        assert!(!all.contains_key("middle_name"));
        assert!(!all.values().any(|v| v.as_str() == Some("$argon2id$secret")));
    }
}
