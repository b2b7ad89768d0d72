//! Signing in to "My account": the provider's own first-party client `yagona-account` (public,
//! PKCE, no consent) runs an ordinary authorization code flow, so every sign-in rule (password,
//! passkeys, a required second factor) applies here exactly as for a portal. Its callback
//! checks `state` and `iss`, redeems the code in-process, and shows the account page.

use std::path::Path;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;

use super::cookies;
use super::error::error_page;
use super::pages::{PageContext, query_value, see_other};
use super::state::AppState;
use crate::clients::{Client, ClientCredentials, ClientFileError};
use crate::crypto::{b64url, constant_time_eq, random_token, sha256};
use crate::oidc::authorize::RawParams;
use crate::oidc::flow::append_query;

pub const ACCOUNT_CLIENT_ID: &str = "yagona-account";
const CALLBACK_PATH: &str = "/account/callback";
/// How long the sign-in may take before the callback refuses it (seconds).
const SIGN_IN_COOKIE_SECONDS: i64 = 900;

/// The registration of the built-in `yagona-account` client for `issuer`.
pub fn account_client(issuer: &str) -> Result<Client, ClientFileError> {
    let registration = format!(
        "client_id = \"{ACCOUNT_CLIENT_ID}\"\n\
         client_name = \"Yagona ID\"\n\
         redirect_uris = [\"{issuer}{CALLBACK_PATH}\"]\n\
         token_endpoint_auth_method = \"none\"\n\
         first_party = true\n\
         scope = \"openid\"\n"
    );
    Client::from_toml(Path::new("(built-in account client)"), &registration)
}

/// Starts signing in to the account page: state and a PKCE verifier in a cookie, then
/// `/authorize`.
pub fn sign_in_redirect(state: &AppState, ctx: &PageContext) -> Response {
    let provider = &state.provider;
    let (csrf_state, verifier) = (random_token(), random_token());
    let challenge = b64url(&sha256(verifier.as_bytes()));
    let location = append_query(
        &provider.endpoint("/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", ACCOUNT_CLIENT_ID),
            ("redirect_uri", &provider.endpoint(CALLBACK_PATH)),
            ("scope", "openid"),
            ("state", &csrf_state),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("ui_locales", ctx.locale().tag()),
        ],
    );
    let cookie = cookies::set(
        cookies::ACCOUNT,
        &format!("{csrf_state}.{verifier}"),
        provider.secure_cookies,
        Some(SIGN_IN_COOKIE_SECONDS),
    );
    see_other(&location, vec![cookie])
}

/// `GET /account/callback`: the end of the account sign-in.
pub async fn callback(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let provider = &state.provider;
    let ctx = PageContext::new(&state, &uri, &headers, None);
    let refuse = |message_id: &str, code: Option<&str>| {
        error_page(&state, &ctx, StatusCode::BAD_REQUEST, message_id, code)
    };
    if let Some(error) = query_value(&uri, "error") {
        return refuse("error-bad-request", Some(&error));
    }
    let saved =
        cookies::read(&headers, cookies::ACCOUNT, provider.secure_cookies).unwrap_or_default();
    let Some((expected_state, verifier)) = saved.split_once('.') else {
        return refuse("error-request-expired", None);
    };
    let returned_state = query_value(&uri, "state").unwrap_or_default();
    let issuer_ok = query_value(&uri, "iss").as_deref() == Some(provider.issuer.as_str());
    if !issuer_ok || !constant_time_eq(returned_state.as_bytes(), expected_state.as_bytes()) {
        return refuse("error-request-expired", None);
    }
    let params = RawParams::new(vec![
        ("grant_type".into(), "authorization_code".into()),
        ("code".into(), query_value(&uri, "code").unwrap_or_default()),
        ("redirect_uri".into(), provider.endpoint(CALLBACK_PATH)),
        ("code_verifier".into(), verifier.to_owned()),
    ]);
    let credentials = ClientCredentials {
        client_id: Some(ACCOUNT_CLIENT_ID.into()),
        ..ClientCredentials::default()
    };
    if let Err(error) = provider.token(&params, &credentials).await {
        return refuse("error-bad-request", Some(&error.to_string()));
    }
    see_other(
        "/account",
        vec![cookies::delete(cookies::ACCOUNT, provider.secure_cookies)],
    )
}
