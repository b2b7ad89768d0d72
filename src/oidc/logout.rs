//! RP-Initiated Logout 1.0 (§2, §3): `id_token_hint`, registered `post_logout_redirect_uri`
//! only, `state` returned. Without a valid hint the citizen confirms first.

use super::authorize::{RawParams, id_token_hint_claims};
use super::error::OAuthError;
use super::flow::append_query;
use super::provider::Provider;

/// A checked logout request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutRequest {
    /// The client the logout came from, when known.
    pub client_id: Option<String>,
    /// `sub` of a valid `id_token_hint`.
    pub hinted_sub: Option<String>,
    /// Where to send the browser afterwards (registered URI with `state` appended).
    pub redirect: Option<String>,
    /// The parameters to carry through a confirmation form.
    pub carry: Vec<(String, String)>,
}

impl LogoutRequest {
    /// Whether the citizen can be signed out without asking: the hint is valid and names the
    /// signed-in citizen (or nobody is signed in).
    pub fn may_skip_confirmation(&self, signed_in: Option<&str>) -> bool {
        match (&self.hinted_sub, signed_in) {
            (Some(_), None) => true,
            (Some(hint), Some(current)) => hint == current,
            (None, _) => false,
        }
    }
}

impl Provider {
    pub fn validate_logout(&self, params: &RawParams) -> Result<LogoutRequest, OAuthError> {
        let mut client_id = params.get("client_id")?.map(str::to_owned);
        let mut hinted_sub = None;
        if let Some(hint) = params.get("id_token_hint")? {
            let (sub, audience) = id_token_hint_claims(hint, &self.keys, &self.issuer)?;
            if client_id.as_ref().is_some_and(|c| *c != audience) {
                return Err(OAuthError::invalid_request(
                    "client_id does not match the id_token_hint",
                ));
            }
            client_id = Some(audience);
            hinted_sub = Some(sub);
        }
        let client = match &client_id {
            Some(id) => Some(
                self.clients
                    .get(id)
                    .ok_or_else(|| OAuthError::invalid_request("unknown client_id"))?,
            ),
            None => None,
        };
        let state = params.get("state")?;
        let redirect = match params.get("post_logout_redirect_uri")? {
            None => None,
            Some(uri) => {
                let registered = client
                    .as_ref()
                    .is_some_and(|c| c.has_post_logout_redirect_uri(uri));
                if !registered {
                    return Err(OAuthError::invalid_request(
                        "post_logout_redirect_uri is not registered for this client",
                    ));
                }
                Some(match state {
                    Some(state) => append_query(uri, &[("state", state)]),
                    None => uri.to_owned(),
                })
            }
        };
        let carry = [
            "id_token_hint",
            "post_logout_redirect_uri",
            "state",
            "client_id",
            "ui_locales",
        ]
        .iter()
        .filter_map(|name| {
            params
                .get(name)
                .ok()
                .flatten()
                .map(|v| ((*name).to_owned(), v.to_owned()))
        })
        .collect();
        Ok(LogoutRequest {
            client_id,
            hinted_sub,
            redirect,
            carry,
        })
    }
}
