//! Token introspection (RFC 7662) and revocation (RFC 7009). Both require client
//! authentication, and a client only ever sees or revokes its own tokens.

use serde_json::{Value, json};

use super::authorize::RawParams;
use super::discovery::{INTROSPECT_PATH, REVOKE_PATH};
use super::error::OAuthError;
use super::provider::Provider;
use crate::clients::ClientCredentials;
use crate::crypto::token_hash;

impl Provider {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn introspect(
        &self,
        params: &RawParams,
        credentials: &ClientCredentials,
    ) -> Result<Value, OAuthError> {
        let client = self
            .authenticate_client(credentials, INTROSPECT_PATH)
            .await?;
        let token = params
            .get("token")?
            .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
        let inactive = json!({ "active": false });
        let prefer_refresh = params.get("token_type_hint")? == Some("refresh_token");
        let access = if prefer_refresh {
            None
        } else {
            self.active_access_token(token)
        };
        if let Some(claims) = access {
            if claims.client_id != client.client_id {
                return Ok(inactive);
            }
            let mut body = json!({
                "active": true,
                "token_type": "Bearer",
                "client_id": claims.client_id,
                "iss": self.issuer,
                "aud": self.issuer,
                "jti": claims.jti,
                "iat": claims.iat,
                "exp": claims.exp,
                "sub": claims.sub,
            });
            if !claims.scope.is_empty() {
                body["scope"] = json!(claims.scope);
            }
            return Ok(body);
        }
        let now = self.now();
        let Some(refresh) = self.store.refresh_token(&token_hash(token)).await? else {
            return Ok(inactive);
        };
        let grant = self.store.grant(&refresh.grant_id).await?;
        match grant {
            Some(grant)
                if grant.client_id == client.client_id
                    && !grant.revoked
                    && !refresh.used
                    && refresh.expires_at > now
                    && grant.expires_at > now =>
            {
                Ok(json!({
                    "active": true,
                    "token_type": "refresh_token",
                    "client_id": grant.client_id,
                    "iss": self.issuer,
                    "sub": grant.account_id,
                    "scope": grant.scope,
                    "iat": refresh.created_at,
                    "exp": refresh.expires_at,
                }))
            }
            _ => Ok(inactive),
        }
    }

    /// Revokes an access token, or a refresh token together with its whole grant (RFC 7009
    /// §2.1). Unknown tokens and other clients' tokens are answered the same way: success.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn revoke(
        &self,
        params: &RawParams,
        credentials: &ClientCredentials,
    ) -> Result<(), OAuthError> {
        let client = self.authenticate_client(credentials, REVOKE_PATH).await?;
        let token = params
            .get("token")?
            .ok_or_else(|| OAuthError::invalid_request("token is missing"))?;
        if let Some(claims) = self.active_access_token(token) {
            if claims.client_id == client.client_id {
                self.revoke_access_token(&claims).await?;
            }
            return Ok(());
        }
        if let Some(grant) = self
            .store
            .grant_of_refresh_token(&token_hash(token))
            .await?
            && grant.client_id == client.client_id
        {
            self.revoke_grant(&grant.id).await?;
        }
        Ok(())
    }
}
