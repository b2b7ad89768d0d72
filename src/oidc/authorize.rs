//! Authorization request validation (RFC 6749 §4.1.1, OIDC Core §3.1.2.1).
//!
//! Errors found before the client and redirect URI are validated are shown on an error page
//! and never redirect (RFC 6749 §4.1.2.1); later errors go back to the client's redirect URI.

use serde::{Deserialize, Serialize};

use super::error::{ErrorCode, OAuthError};
use super::pkce;
use super::scope::Scopes;
use crate::clients::{Client, ClientRegistry, GrantType};
use crate::keys::KeyRing;

/// Longest value accepted for free-text parameters (state, nonce, hints).
const MAX_PARAM_LEN: usize = 2048;

/// A validated authorization request, kept server-side while the citizen signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Vec<Prompt>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    /// `sub` of a valid `id_token_hint`.
    pub hinted_sub: Option<String>,
    /// Requested authentication context classes, space-separated, in order of preference.
    pub acr_values: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    None,
    Login,
    Consent,
    SelectAccount,
}

impl AuthorizationRequest {
    pub fn scopes(&self) -> Scopes {
        Scopes::from_stored(&self.scope)
    }

    pub fn has_prompt(&self, prompt: Prompt) -> bool {
        self.prompt.contains(&prompt)
    }
}

/// Why a request was refused, and where the refusal goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// Show an error page; never redirect (client or redirect URI not trustworthy).
    Page { error: OAuthError },
    /// Redirect to the validated redirect URI with `error`, `error_description`, `state`, `iss`.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: OAuthError,
    },
    /// The session can no longer issue a code (it ended, or its account now requires a second
    /// factor it lacks): send the citizen to the sign-in page for the same request.
    SignInAgain,
}

/// The raw parameters of the request, from the query (GET) or the form body (POST).
pub struct RawParams(Vec<(String, String)>);

impl RawParams {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// A parameter's value; empty values count as absent (OIDC Core §3.1.2.1 — "parameters
    /// sent without a value MUST be treated as if they were omitted"). A repeated parameter is
    /// an error (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        let mut values = self
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(OAuthError::invalid_request(format!(
                "parameter {name} is repeated"
            )));
        }
        match first {
            Some(v) if v.len() > MAX_PARAM_LEN => Err(OAuthError::invalid_request(format!(
                "parameter {name} is too long"
            ))),
            Some("") | None => Ok(None),
            Some(v) => Ok(Some(v)),
        }
    }
}

/// Validates an authorization request against the client registry.
pub fn validate(
    params: &RawParams,
    clients: &ClientRegistry,
    keys: &KeyRing,
    issuer: &str,
) -> Result<AuthorizationRequest, AuthorizeError> {
    let page = |error| AuthorizeError::Page { error };
    let client_id = params
        .get("client_id")
        .map_err(page)?
        .ok_or_else(|| page(OAuthError::invalid_request("client_id is missing")))?;
    let client = clients
        .get(client_id)
        .ok_or_else(|| page(OAuthError::invalid_client("unknown client_id")))?;
    let redirect_uri = params
        .get("redirect_uri")
        .map_err(page)?
        .ok_or_else(|| page(OAuthError::invalid_request("redirect_uri is missing")))?;
    if !client.has_redirect_uri(redirect_uri) {
        return Err(page(OAuthError::invalid_request(
            "redirect_uri is not registered for this client",
        )));
    }
    // From here on errors go back to the client. `state` is read leniently so that even a
    // malformed request gets its state echoed when possible.
    let state = params.get("state").ok().flatten().map(str::to_owned);
    let redirect = |error| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        state: state.clone(),
        error,
    };
    validate_for_client(params, &client, redirect_uri, keys, issuer)
        .map(|mut request| {
            request.state.clone_from(&state);
            request
        })
        .map_err(redirect)
}

fn validate_for_client(
    params: &RawParams,
    client: &Client,
    redirect_uri: &str,
    keys: &KeyRing,
    issuer: &str,
) -> Result<AuthorizationRequest, OAuthError> {
    params.get("state")?;
    refuse_unsupported(params)?;
    match params.get("response_type")? {
        None => return Err(OAuthError::invalid_request("response_type is missing")),
        Some("code") => {}
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            ));
        }
    }
    if !matches!(params.get("response_mode")?, None | Some("query")) {
        return Err(OAuthError::invalid_request(
            "only response_mode=query is supported",
        ));
    }
    if !client.allows_grant(GrantType::AuthorizationCode) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "this client may not use the authorization code flow",
        ));
    }
    let scope = requested_scopes(params.get("scope")?, client)?;
    let code_challenge = pkce::validate_challenge(
        params.get("code_challenge")?,
        params.get("code_challenge_method")?,
    )?;
    if code_challenge.is_none() && client.is_public() {
        return Err(OAuthError::invalid_request(
            "public clients must use PKCE (code_challenge with S256)",
        ));
    }
    let hinted_sub = match params.get("id_token_hint")? {
        Some(hint) => Some(id_token_hint_claims(hint, keys, issuer)?.0),
        None => None,
    };
    Ok(AuthorizationRequest {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scope: scope.as_string(),
        state: None,
        nonce: params.get("nonce")?.map(str::to_owned),
        code_challenge,
        prompt: parse_prompt(params.get("prompt")?)?,
        max_age: parse_max_age(params.get("max_age")?)?,
        login_hint: params.get("login_hint")?.map(str::to_owned),
        ui_locales: params.get("ui_locales")?.map(str::to_owned),
        hinted_sub,
        acr_values: params.get("acr_values")?.map(str::to_owned),
    })
}

fn refuse_unsupported(params: &RawParams) -> Result<(), OAuthError> {
    if params.get("request")?.is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestNotSupported,
            "request objects are not supported",
        ));
    }
    if params.get("request_uri")?.is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported",
        ));
    }
    if params.get("registration")?.is_some() {
        return Err(OAuthError::new(
            ErrorCode::RegistrationNotSupported,
            "the registration parameter is not supported",
        ));
    }
    Ok(())
}

/// `openid` is required; every scope must be one the client may ask for (RFC 6749 §3.3).
/// `offline_access` is dropped for clients that may not use refresh tokens (OIDC Core §11).
fn requested_scopes(value: Option<&str>, client: &Client) -> Result<Scopes, OAuthError> {
    let scopes = Scopes::parse(value.unwrap_or_default())?;
    if !scopes.contains("openid") {
        return Err(OAuthError::invalid_scope("the openid scope is required"));
    }
    if let Some(denied) = scopes.iter().find(|s| !client.allows_scope(s)) {
        return Err(OAuthError::invalid_scope(format!(
            "this client may not request the {denied} scope"
        )));
    }
    if !client.allows_grant(GrantType::RefreshToken) {
        return Ok(scopes.without("offline_access"));
    }
    Ok(scopes)
}

fn parse_prompt(value: Option<&str>) -> Result<Vec<Prompt>, OAuthError> {
    let mut prompts = Vec::new();
    for word in value
        .unwrap_or_default()
        .split(' ')
        .filter(|w| !w.is_empty())
    {
        let prompt = match word {
            "none" => Prompt::None,
            "login" => Prompt::Login,
            "consent" => Prompt::Consent,
            "select_account" => Prompt::SelectAccount,
            other => {
                return Err(OAuthError::invalid_request(format!(
                    "unsupported prompt value {other:?}"
                )));
            }
        };
        if !prompts.contains(&prompt) {
            prompts.push(prompt);
        }
    }
    // OIDC Core §3.1.2.1: `none` with any other value is an error.
    if prompts.contains(&Prompt::None) && prompts.len() > 1 {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values",
        ));
    }
    Ok(prompts)
}

fn parse_max_age(value: Option<&str>) -> Result<Option<i64>, OAuthError> {
    value
        .map(|v| {
            v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                OAuthError::invalid_request("max_age must be a non-negative integer")
            })
        })
        .transpose()
}

/// The `sub` and audience of an ID token this provider issued (OIDC Core §3.1.2.1 and
/// RP-Initiated Logout §2: the hint may have expired, so `exp` is not checked).
pub fn id_token_hint_claims(
    hint: &str,
    keys: &KeyRing,
    issuer: &str,
) -> Result<(String, String), OAuthError> {
    let invalid = || OAuthError::invalid_request("id_token_hint is not an ID token issued here");
    let verified = keys.verify(hint).map_err(|_| invalid())?;
    let claims = &verified.claims;
    if claims.get("iss").and_then(|v| v.as_str()) != Some(issuer) {
        return Err(invalid());
    }
    let sub = claims
        .get("sub")
        .and_then(|v| v.as_str())
        .ok_or_else(invalid)?;
    let aud = match claims.get("aud") {
        Some(serde_json::Value::String(a)) => a.as_str(),
        Some(serde_json::Value::Array(list)) if list.len() == 1 => {
            list[0].as_str().ok_or_else(invalid)?
        }
        _ => return Err(invalid()),
    };
    Ok((sub.to_owned(), aud.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawParams {
        RawParams::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn repeated_and_empty_parameters() {
        let params = raw(&[("a", "1"), ("a", "2"), ("b", "")]);
        assert!(params.get("a").is_err());
        assert_eq!(params.get("b").unwrap(), None);
    }

    #[test]
    fn prompt_parsing() {
        assert_eq!(
            parse_prompt(Some("login consent")).unwrap(),
            vec![Prompt::Login, Prompt::Consent]
        );
        assert!(parse_prompt(Some("none login")).is_err());
        assert!(parse_prompt(Some("bogus")).is_err());
        assert_eq!(parse_prompt(None).unwrap(), vec![]);
    }

    #[test]
    fn max_age_parsing() {
        assert_eq!(parse_max_age(Some("0")).unwrap(), Some(0));
        assert!(parse_max_age(Some("-1")).is_err());
        assert!(parse_max_age(Some("soon")).is_err());
    }
}
