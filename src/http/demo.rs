//! The demo agency portal (`--demo`, loopback issuers only): a relying party served by the
//! provider itself, so a newcomer can click through a whole sign-in and see the claims.
//! It is a public client using PKCE; its code exchange calls the token logic in-process.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::cookies;
use super::error::{error_page, internal_page};
use super::pages::{PageContext, PageResponse, query_value, see_other};
use super::state::AppState;
use std::path::Path;

use crate::clients::{Client, ClientCredentials, ClientFileError};
use crate::crypto::{b64url, constant_time_eq, random_token, sha256};
use crate::oidc::authorize::RawParams;
use crate::oidc::flow::append_query;
use crate::pages::{DemoHomePage, DemoResultPage};

pub const DEMO_CLIENT_ID: &str = "yagona-demo";
pub const DEMO_USERNAME: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-password";

#[derive(Debug, Clone)]
pub struct DemoPortal {
    redirect_uri: String,
    home: String,
}

impl DemoPortal {
    pub fn new(issuer: &str) -> Self {
        Self {
            redirect_uri: format!("{issuer}/demo/callback"),
            home: format!("{issuer}/demo"),
        }
    }

    /// The demo portal's client registration: a public client, PKCE required.
    pub fn client(&self) -> Result<Client, ClientFileError> {
        let registration = format!(
            "client_id = \"{DEMO_CLIENT_ID}\"\n\
             client_name = \"Demo agency portal\"\n\
             redirect_uris = [\"{}\"]\n\
             post_logout_redirect_uris = [\"{}\"]\n\
             token_endpoint_auth_method = \"none\"\n\
             scope = \"openid profile email phone\"\n",
            self.redirect_uri, self.home
        );
        Client::from_toml(Path::new("(built-in demo client)"), &registration)
    }
}

pub async fn home(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = PageContext::new(&state, &uri, &headers, None);
    let page = DemoHomePage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links(),
        start_href: "/demo/start".into(),
    };
    PageResponse::render(&state, &ctx, StatusCode::OK, &page).into_response()
}

/// Starts a sign-in like any portal would: state, nonce and a PKCE verifier kept in the
/// portal's own cookie, then a redirect to `/authorize`.
pub async fn start(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Some(demo) = &state.demo else {
        return not_enabled(&state, &uri, &headers);
    };
    let (csrf_state, nonce, verifier) = (random_token(), random_token(), random_token());
    let challenge = b64url(&sha256(verifier.as_bytes()));
    let ctx = PageContext::new(&state, &uri, &headers, None);
    let location = append_query(
        &state.provider.endpoint("/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", &demo.redirect_uri),
            ("scope", "openid profile email phone"),
            ("state", &csrf_state),
            ("nonce", &nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("ui_locales", ctx.locale().tag()),
        ],
    );
    let cookie = cookies::set(
        cookies::DEMO,
        &format!("{csrf_state}.{nonce}.{verifier}"),
        state.provider.secure_cookies,
        Some(600),
    );
    see_other(&location, vec![cookie])
}

pub async fn callback(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Some(demo) = &state.demo else {
        return not_enabled(&state, &uri, &headers);
    };
    let ctx = PageContext::new(&state, &uri, &headers, None);
    let provider = &state.provider;
    if let Some(error) = query_value(&uri, "error") {
        return error_page(
            &state,
            &ctx,
            StatusCode::BAD_REQUEST,
            "error-bad-request",
            Some(&error),
        );
    }
    let saved = cookies::read(&headers, cookies::DEMO, provider.secure_cookies).unwrap_or_default();
    let mut parts = saved.splitn(3, '.');
    let (Some(expected_state), Some(nonce), Some(verifier)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return error_page(
            &state,
            &ctx,
            StatusCode::BAD_REQUEST,
            "error-request-expired",
            None,
        );
    };
    let returned_state = query_value(&uri, "state").unwrap_or_default();
    let issuer_ok = query_value(&uri, "iss").as_deref() == Some(provider.issuer.as_str());
    if !issuer_ok || !constant_time_eq(returned_state.as_bytes(), expected_state.as_bytes()) {
        return error_page(
            &state,
            &ctx,
            StatusCode::BAD_REQUEST,
            "error-request-expired",
            None,
        );
    }
    let params = RawParams::new(vec![
        ("grant_type".into(), "authorization_code".into()),
        ("code".into(), query_value(&uri, "code").unwrap_or_default()),
        ("redirect_uri".into(), demo.redirect_uri.clone()),
        ("code_verifier".into(), verifier.to_owned()),
    ]);
    let credentials = ClientCredentials {
        client_id: Some(DEMO_CLIENT_ID.into()),
        ..ClientCredentials::default()
    };
    let tokens = match provider.token(&params, &credentials).await {
        Ok(tokens) => tokens,
        Err(error) => {
            return error_page(
                &state,
                &ctx,
                StatusCode::BAD_REQUEST,
                "error-bad-request",
                Some(&error.to_string()),
            );
        }
    };
    let id_token = tokens.id_token.clone().unwrap_or_default();
    let claims = match provider.keys.verify(&id_token) {
        Ok(verified) if verified.claims.get("nonce").and_then(|n| n.as_str()) == Some(nonce) => {
            verified.claims
        }
        Ok(_) => {
            return error_page(
                &state,
                &ctx,
                StatusCode::BAD_REQUEST,
                "error-bad-request",
                Some("nonce mismatch"),
            );
        }
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    let userinfo = match provider.userinfo(&tokens.access_token).await {
        Ok(userinfo) => userinfo,
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    let logout_href = append_query(
        &provider.endpoint("/logout"),
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", &demo.home),
        ],
    );
    let page = DemoResultPage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links(),
        id_token_claims: serde_json::to_string_pretty(&claims).unwrap_or_default(),
        userinfo: serde_json::to_string_pretty(&userinfo).unwrap_or_default(),
        logout_href,
    };
    PageResponse::render(&state, &ctx, StatusCode::OK, &page)
        .with_cookie(Some(cookies::delete(
            cookies::DEMO,
            provider.secure_cookies,
        )))
        .into_response()
}

fn not_enabled(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Response {
    let ctx = PageContext::new(state, uri, headers, None);
    error_page(state, &ctx, StatusCode::NOT_FOUND, "error-not-found", None)
}
