//! The authorization flow's decisions: does this request need a sign-in, a consent, or can a
//! code be issued now (OIDC Core §3.1.2.3–§3.1.2.5)? And the redirects that end it.

use url::Url;

use super::authorize::{AuthorizationRequest, AuthorizeError, Prompt};
use super::error::{ErrorCode, OAuthError};
use super::provider::Provider;
use crate::auth::login::acr;
use crate::crypto::{time_ordered_id, time_ordered_token, token_hash};
use crate::store::{AuthorizationCode, Grant, Session, StoreError};

/// What the citizen's browser must do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Login,
    Consent,
    IssueCode,
}

impl Provider {
    /// Decides the next step for a validated request. `fresh_login` is true right after the
    /// citizen signed in for this very request (so `prompt=login` and `max_age` are satisfied).
    pub async fn next_step(
        &self,
        request: &AuthorizationRequest,
        session: Option<&Session>,
        fresh_login: bool,
    ) -> Result<Step, AuthorizeError> {
        let needs_login = match session {
            None => true,
            Some(session) => {
                let stale = !fresh_login && self.session_too_weak(request, session);
                stale
                    || !self.acr_satisfied(request, &session.acr)
                    || self.second_factor_missing(session)
            }
        };
        let silent = request.has_prompt(Prompt::None);
        if needs_login {
            return if silent {
                Err(self.redirect_error(
                    request,
                    ErrorCode::LoginRequired,
                    "the citizen must sign in",
                ))
            } else {
                Ok(Step::Login)
            };
        }
        let Some(session) = session else {
            return Ok(Step::Login);
        };
        if self
            .needs_consent(request, &session.account_id)
            .await
            .map_err(|e| self.internal_error(request, &e))?
        {
            return if silent {
                Err(self.redirect_error(
                    request,
                    ErrorCode::ConsentRequired,
                    "the citizen must consent",
                ))
            } else {
                Ok(Step::Consent)
            };
        }
        Ok(Step::IssueCode)
    }

    /// The weakest authentication context class the request accepts: the lowest-ranked of its
    /// `acr_values` that we know, capped at the strongest class this deployment can reach (so a
    /// request for a method that is not enabled degrades to the best available instead of
    /// looping). `None` when the request names no known class.
    pub fn required_acr(&self, request: &AuthorizationRequest) -> Option<&'static str> {
        let wanted = request
            .acr_values
            .as_deref()?
            .split_whitespace()
            .filter_map(acr::rank)
            .min()?;
        let best = self
            .available_acrs
            .iter()
            .filter_map(|a| acr::rank(a))
            .max()?;
        Some(acr::LADDER[wanted.min(best)])
    }

    /// Whether a session authenticated at `session_acr` meets the request's `acr_values`
    /// (OIDC Core §3.1.2.1: asked for, the class is met or the citizen is asked for more).
    pub fn acr_satisfied(&self, request: &AuthorizationRequest, session_acr: &str) -> bool {
        match self.required_acr(request) {
            None => true,
            Some(required) => acr::rank(session_acr) >= acr::rank(required),
        }
    }

    /// An existing session is not enough when the client forces a new sign-in, its `max_age`
    /// has passed, or the `id_token_hint` names someone else.
    fn session_too_weak(&self, request: &AuthorizationRequest, session: &Session) -> bool {
        let forced = request.has_prompt(Prompt::Login) || request.has_prompt(Prompt::SelectAccount);
        let too_old = request
            .max_age
            .is_some_and(|max_age| self.now() - session.auth_time > max_age);
        let other_subject = request
            .hinted_sub
            .as_deref()
            .is_some_and(|sub| sub != session.account_id);
        forced || too_old || other_subject
    }

    async fn needs_consent(
        &self,
        request: &AuthorizationRequest,
        account_id: &str,
    ) -> Result<bool, StoreError> {
        let Some(client) = self.clients.get(&request.client_id) else {
            return Ok(true);
        };
        if client.first_party {
            return Ok(false);
        }
        if request.has_prompt(Prompt::Consent) {
            return Ok(true);
        }
        let granted = self.store.consent(account_id, &request.client_id).await?;
        Ok(match granted {
            Some(granted) => !request
                .scopes()
                .is_subset_of(&super::scope::Scopes::from_stored(&granted)),
            None => true,
        })
    }

    /// Creates the grant and a single-use code, and returns the redirect back to the client
    /// (RFC 6749 §4.1.2, with `iss` per RFC 9207). The pending request behind `handle`, if
    /// any, ends in the same transaction, which also adds `consented_scopes` to those the
    /// citizen granted the client before, when the citizen has just consented.
    pub async fn issue_code(
        &self,
        request: &AuthorizationRequest,
        session: &Session,
        handle: Option<&str>,
        consented_scopes: Option<&str>,
    ) -> Result<String, AuthorizeError> {
        let now = self.now();
        let grant = Grant {
            id: time_ordered_id(now),
            client_id: request.client_id.clone(),
            account_id: session.account_id.clone(),
            scope: request.scope.clone(),
            auth_time: session.auth_time,
            amr: session.amr.clone(),
            acr: session.acr.clone(),
            session_id_hash: Some(session.id_hash.clone()),
            created_at: now,
            expires_at: now + self.lifetimes.grant,
            revoked: false,
        };
        let code = time_ordered_token(now);
        let record = AuthorizationCode {
            code_hash: token_hash(&code),
            grant_id: grant.id.clone(),
            client_id: request.client_id.clone(),
            redirect_uri: request.redirect_uri.clone(),
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone(),
            created_at: now,
            expires_at: now + self.lifetimes.authorization_code,
            used: false,
        };
        if let Some(handle) = handle {
            self.forget_pending(handle);
        }
        let issued = self
            .store
            .create_grant_with_code(
                &grant,
                &record,
                handle.map(token_hash).as_deref(),
                consented_scopes,
                self.second_factor_unproven(session),
            )
            .await
            .map_err(|e| self.internal_error(request, &e))?;
        if !issued {
            return Err(self.why_not_issued(request, session).await);
        }
        if request.scopes().contains("organization") {
            self.copy_organization(session, &grant.id)
                .await
                .map_err(|e| self.internal_error(request, &e))?;
        }
        let mut params = vec![("code", code.as_str())];
        if let Some(state) = &request.state {
            params.push(("state", state));
        }
        params.push(("iss", &self.issuer));
        Ok(append_query(&request.redirect_uri, &params))
    }

    /// Why `create_grant_with_code` wrote nothing: the session (perhaps this node's stale copy)
    /// can no longer issue codes, or another submission of the same request (a second click,
    /// another tab) got the code.
    async fn why_not_issued(
        &self,
        request: &AuthorizationRequest,
        session: &Session,
    ) -> AuthorizeError {
        self.forget_session(&session.id_hash);
        match self.store.session(&session.id_hash, self.now()).await {
            Ok(Some(current)) if !self.second_factor_missing(&current) => AuthorizeError::Page {
                error: OAuthError::invalid_request(
                    "this sign-in request has already been completed; start again from the portal",
                ),
            },
            Ok(_) => AuthorizeError::SignInAgain,
            Err(e) => self.internal_error(request, &e),
        }
    }

    /// A session opened with a company certificate acts for that organisation; the grant keeps
    /// it for the `organization` claim.
    async fn copy_organization(&self, session: &Session, grant_id: &str) -> Result<(), StoreError> {
        if let Some(organization) = self.store.session_organization(&session.id_hash).await? {
            self.store
                .set_grant_organization(grant_id, &organization)
                .await?;
        }
        Ok(())
    }

    /// The redirect that tells the client the citizen refused.
    pub fn access_denied(&self, request: &AuthorizationRequest) -> String {
        self.error_redirect_url(
            &request.redirect_uri,
            request.state.as_deref(),
            &OAuthError::new(ErrorCode::AccessDenied, "the citizen did not allow access"),
        )
    }

    /// An error redirect (RFC 6749 §4.1.2.1) carrying `error`, `error_description`, `state`
    /// and `iss`.
    pub fn error_redirect_url(
        &self,
        redirect_uri: &str,
        state: Option<&str>,
        error: &OAuthError,
    ) -> String {
        let mut params = vec![
            ("error", error.code.as_str()),
            ("error_description", error.description.as_str()),
        ];
        if let Some(state) = state {
            params.push(("state", state));
        }
        params.push(("iss", &self.issuer));
        append_query(redirect_uri, &params)
    }

    fn redirect_error(
        &self,
        request: &AuthorizationRequest,
        code: ErrorCode,
        description: &str,
    ) -> AuthorizeError {
        AuthorizeError::Redirect {
            redirect_uri: request.redirect_uri.clone(),
            state: request.state.clone(),
            error: OAuthError::new(code, description),
        }
    }

    fn internal_error(&self, request: &AuthorizationRequest, error: &StoreError) -> AuthorizeError {
        tracing::error!(%error, "storage failure during authorization");
        self.redirect_error(request, ErrorCode::ServerError, "please try again later")
    }
}

/// Appends parameters to a URI's query, keeping any query it already has.
pub fn append_query(uri: &str, params: &[(&str, &str)]) -> String {
    match Url::parse(uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(params);
            url.to_string()
        }
        // Registered redirect URIs are validated as URLs at load time.
        Err(_) => uri.to_owned(),
    }
}
