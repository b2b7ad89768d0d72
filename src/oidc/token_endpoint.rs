//! The token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6; OIDC Core §3.1.3, §12).

use std::sync::Arc;

use super::authorize::RawParams;
use super::discovery::TOKEN_PATH;
use super::error::{ErrorCode, OAuthError};
use super::pkce;
use super::provider::Provider;
use super::scope::{Scopes, USER_SCOPES};
use super::tokens::{TokenResponse, TokenSubject};
use crate::clients::{Client, ClientCredentials, GrantType};
use crate::crypto::{time_ordered_token, token_hash};
use crate::store::{CodeRedemption, Grant, RefreshRotation, RefreshToken};

impl Provider {
    /// Authenticates the client of a request at `path` (token, introspection, revocation).
    /// The assertion audience may be the issuer or the endpoint (RFC 7523 §3).
    pub async fn authenticate_client(
        &self,
        credentials: &ClientCredentials,
        path: &str,
    ) -> Result<std::sync::Arc<Client>, OAuthError> {
        let endpoint = self.endpoint(path);
        let token_endpoint = self.endpoint(TOKEN_PATH);
        let audiences = [
            self.issuer.as_str(),
            endpoint.as_str(),
            token_endpoint.as_str(),
        ];
        self.client_auth
            .authenticate(credentials, &audiences, self.store.as_ref(), self.now())
            .await
            .map_err(|e| {
                if e.is_internal() {
                    tracing::error!(error = %e, "client authentication could not be completed");
                    return OAuthError::server_error();
                }
                tracing::info!(reason = %e, "client authentication failed");
                OAuthError::invalid_client(e.description())
            })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(grant_type))]
    pub async fn token(
        &self,
        params: &RawParams,
        credentials: &ClientCredentials,
    ) -> Result<TokenResponse, OAuthError> {
        let grant_type = params
            .get("grant_type")?
            .ok_or_else(|| OAuthError::invalid_request("grant_type is missing"))?;
        tracing::Span::current().record("grant_type", grant_type);
        let grant = match grant_type {
            "authorization_code" => GrantType::AuthorizationCode,
            "refresh_token" => GrantType::RefreshToken,
            "client_credentials" => GrantType::ClientCredentials,
            _ => {
                return Err(OAuthError::new(
                    ErrorCode::UnsupportedGrantType,
                    "supported grant types: authorization_code, refresh_token, client_credentials",
                ));
            }
        };
        let client = self.authenticate_client(credentials, TOKEN_PATH).await?;
        if !client.allows_grant(grant) {
            return Err(OAuthError::new(
                ErrorCode::UnauthorizedClient,
                format!("this client may not use the {grant_type} grant"),
            ));
        }
        match grant {
            GrantType::AuthorizationCode => self.redeem_code(params, &client).await,
            GrantType::RefreshToken => self.refresh(params, &client).await,
            GrantType::ClientCredentials => self.client_credentials(params, &client).await,
        }
    }

    async fn redeem_code(
        &self,
        params: &RawParams,
        client: &Client,
    ) -> Result<TokenResponse, OAuthError> {
        let code = params
            .get("code")?
            .ok_or_else(|| OAuthError::invalid_request("code is missing"))?;
        let redirect_uri = params.get("redirect_uri")?;
        let verifier = params.get("code_verifier")?;
        let (code, grant) = match self
            .store
            .redeem_code(&token_hash(code), self.now())
            .await?
        {
            CodeRedemption::Redeemed { code, grant } => (code, grant),
            CodeRedemption::Replayed { grant_id } => {
                // RFC 6749 §4.1.2 / RFC 9700 §4.4.2: a replayed code revokes what it issued.
                tracing::warn!(grant_id, "authorization code replayed; grant revoked");
                self.revoke_grant(&grant_id).await?;
                return Err(OAuthError::invalid_grant("the code was already used"));
            }
            CodeRedemption::Invalid => {
                return Err(OAuthError::invalid_grant("the code is invalid or expired"));
            }
        };
        if code.client_id != client.client_id {
            return Err(OAuthError::invalid_grant(
                "the code was issued to another client",
            ));
        }
        if redirect_uri != Some(code.redirect_uri.as_str()) {
            return Err(OAuthError::invalid_grant(
                "redirect_uri does not match the authorization request",
            ));
        }
        pkce::verify(code.code_challenge.as_deref(), verifier)?;
        self.tokens_for_grant(client, &grant, code.nonce.as_deref())
            .await
    }

    async fn refresh(
        &self,
        params: &RawParams,
        client: &Client,
    ) -> Result<TokenResponse, OAuthError> {
        let presented = params
            .get("refresh_token")?
            .ok_or_else(|| OAuthError::invalid_request("refresh_token is missing"))?;
        let old_hash = token_hash(presented);
        // The token must belong to this client before it is touched.
        let owner = match self.refresh_grants.get(&old_hash) {
            Some(grant) => Some(grant),
            None => self
                .store
                .grant_of_refresh_token(&old_hash)
                .await?
                .map(Arc::new),
        };
        let Some(owner) = owner.filter(|g| g.client_id == client.client_id) else {
            return Err(OAuthError::invalid_grant("the refresh token is invalid"));
        };
        // A refused request must change nothing, so the scope is checked before rotating.
        let scope = narrowed_scope(params.get("scope")?, &owner)?;
        let now = self.now();
        let new_token = time_ordered_token(now);
        let successor = self.refresh_record(&new_token, Some(&owner));
        let rotation = self
            .store
            .rotate_refresh_token(&old_hash, &successor, now)
            .await?;
        // Rotated: the grant was live at that moment (checked in the same statement), and
        // nothing else of a grant changes, so `owner` is the grant to mint from.
        self.refresh_grants.remove(&old_hash);
        let grant = match rotation {
            RefreshRotation::Rotated => {
                self.refresh_grants
                    .insert(successor.token_hash, Arc::clone(&owner));
                owner
            }
            RefreshRotation::Reused { grant_id } => {
                // RFC 9700 §4.14.2: reuse of a rotated token revokes the whole grant.
                tracing::warn!(grant_id, "refresh token reused; grant revoked");
                self.revoke_grant(&grant_id).await?;
                return Err(OAuthError::invalid_grant(
                    "the refresh token was already used",
                ));
            }
            RefreshRotation::Invalid => {
                return Err(OAuthError::invalid_grant(
                    "the refresh token is invalid or expired",
                ));
            }
        };
        let (access_token, expires_in) =
            self.mint_access_token(&client.client_id, TokenSubject::Citizen(&grant), &scope)?;
        let id_token = self
            .mint_id_token(client, &grant, None, &access_token)
            .await?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in,
            refresh_token: Some(new_token),
            id_token: Some(id_token),
            scope,
        })
    }

    fn refresh_record(&self, token: &str, grant: Option<&Grant>) -> RefreshToken {
        let now = self.now();
        let grant_end = grant.map_or(now, |g| g.expires_at);
        RefreshToken {
            token_hash: token_hash(token),
            grant_id: grant.map(|g| g.id.clone()).unwrap_or_default(),
            created_at: now,
            expires_at: (now + self.lifetimes.refresh_token).min(grant_end),
            used: false,
        }
    }

    async fn client_credentials(
        &self,
        params: &RawParams,
        client: &Client,
    ) -> Result<TokenResponse, OAuthError> {
        if client.is_public() {
            return Err(OAuthError::new(
                ErrorCode::UnauthorizedClient,
                "public clients cannot use client_credentials",
            ));
        }
        let requested = Scopes::parse(params.get("scope")?.unwrap_or_default())?;
        if let Some(bad) = requested
            .iter()
            .find(|s| USER_SCOPES.contains(s) || !client.allows_scope(s))
        {
            return Err(OAuthError::invalid_scope(format!(
                "the {bad} scope cannot be granted to this client"
            )));
        }
        let scope = requested.as_string();
        let (access_token, expires_in) =
            self.mint_access_token(&client.client_id, TokenSubject::Client, &scope)?;
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in,
            refresh_token: None,
            id_token: None,
            scope,
        })
    }

    /// Access token, ID token and (with `offline_access`) a refresh token for a fresh grant.
    async fn tokens_for_grant(
        &self,
        client: &Client,
        grant: &Grant,
        nonce: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        let (access_token, expires_in) = self.mint_access_token(
            &client.client_id,
            TokenSubject::Citizen(grant),
            &grant.scope,
        )?;
        let id_token = self
            .mint_id_token(client, grant, nonce, &access_token)
            .await?;
        let refresh_token = if Scopes::from_stored(&grant.scope).contains("offline_access")
            && client.allows_grant(GrantType::RefreshToken)
        {
            let token = time_ordered_token(self.now());
            let record = self.refresh_record(&token, Some(grant));
            self.store.insert_refresh_token(&record).await?;
            self.refresh_grants
                .insert(record.token_hash, Arc::new(grant.clone()));
            Some(token)
        } else {
            None
        };
        Ok(TokenResponse {
            access_token,
            token_type: "Bearer",
            expires_in,
            refresh_token,
            id_token: Some(id_token),
            scope: grant.scope.clone(),
        })
    }
}

/// A refresh request may ask for fewer scopes, never more (RFC 6749 §6).
fn narrowed_scope(requested: Option<&str>, grant: &Grant) -> Result<String, OAuthError> {
    let granted = Scopes::from_stored(&grant.scope);
    match requested {
        None => Ok(granted.as_string()),
        Some(value) => {
            let asked = Scopes::parse(value)?;
            if asked.is_subset_of(&granted) {
                Ok(asked.as_string())
            } else {
                Err(OAuthError::invalid_scope(
                    "a refresh cannot add scopes the citizen did not grant",
                ))
            }
        }
    }
}
