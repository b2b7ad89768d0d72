//! UserInfo (OIDC Core §5.3) and the claims each scope releases (§5.4).

use serde_json::{Map, Value, json};

use super::error::{ErrorCode, OAuthError};
use super::provider::Provider;
use super::scope::Scopes;
use crate::crypto::token_hash;
use crate::store::{AccessTokenRecord, Account};

impl Provider {
    /// The access token with this value if it was issued here, is unexpired and unrevoked.
    /// Found by its hash: no signature work is needed for tokens we recorded ourselves.
    pub async fn active_access_token(
        &self,
        token: &str,
    ) -> Result<Option<AccessTokenRecord>, OAuthError> {
        if token.is_empty() || token.len() > 4096 {
            return Ok(None);
        }
        let record = self.store.access_token(&token_hash(token)).await?;
        let now = self.now();
        Ok(record.filter(|r| !r.revoked && r.expires_at > now))
    }

    /// The claims a bearer token may see. Errors are RFC 6750 §3.1 codes.
    #[tracing::instrument(skip_all)]
    pub async fn userinfo(&self, token: &str) -> Result<Value, OAuthError> {
        let record = self.active_access_token(token).await?.ok_or_else(|| {
            OAuthError::invalid_token("the access token is invalid, expired or revoked")
        })?;
        let scopes = Scopes::from_stored(&record.scope);
        let Some(account_id) = record.account_id.as_deref() else {
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
            .store
            .account(account_id)
            .await?
            .filter(|a| !a.disabled)
            .ok_or_else(|| OAuthError::invalid_token("the account no longer exists"))?;
        let mut claims = claims_for(&account, &scopes);
        if let Some(grant_id) = record.grant_id.as_deref()
            && let Some(organization) = self.organization_claim(grant_id, &scopes).await?
        {
            claims.insert("organization".into(), organization);
        }
        Ok(Value::Object(claims))
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
