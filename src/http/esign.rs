//! `/login/esign`: e-signature sign-in for a pending authorization request. The page carries
//! a fresh challenge bound to this browser (its CSRF cookie) and the request; the form posts
//! the Base64 PKCS#7, made by the E-IMZO app through `/static/esign.js` or pasted.

use std::net::SocketAddr;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::authorize::{Resume, continue_flow, redirect_origin};
use super::error::{error_page, internal_page};
use super::extract::{client_address, form_params};
use super::login::pending_or_page;
use super::pages::{PageContext, PageResponse, query_value};
use super::security::DEFAULT_CSP;
use super::state::AppState;
use super::{cookies, csrf};
use crate::crypto::sha256;
use crate::oidc::authorize::AuthorizationRequest;
use crate::oidc::esign_login::EsignSignInError;
use crate::pages::EsignPage;

/// The E-IMZO app listens on these local sockets (ws from http pages, wss from https).
const EIMZO_SOCKETS: &str = "ws://127.0.0.1:64646 wss://127.0.0.1:64443";

pub async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let handle = query_value(&uri, "request").unwrap_or_default();
    match pending_or_page(&state, &uri, &headers, &handle).await {
        Ok(request) => {
            let ctx = PageContext::new(&state, &uri, &headers, request.ui_locales.as_deref());
            render(&state, &ctx, &headers, &request, handle, None).await
        }
        Err(page) => page,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let provider = &state.provider;
    let params = form_params(&headers, &body).ok();
    let field = |name| {
        params
            .as_ref()
            .and_then(|p| p.get(name).ok().flatten().map(str::to_owned))
    };
    let handle = field("request").unwrap_or_default();
    let request = match pending_or_page(&state, &uri, &headers, &handle).await {
        Ok(request) => request,
        Err(page) => return page,
    };
    let ctx = PageContext::new(&state, &uri, &headers, request.ui_locales.as_deref());
    let csrf_field = field("csrf");
    if !csrf::verify(
        &headers,
        provider.secure_cookies,
        csrf_field.as_deref(),
        &provider.issuer,
    ) {
        return error_page(&state, &ctx, StatusCode::FORBIDDEN, "error-csrf", None);
    }
    let binding = browser_binding(&headers, provider.secure_cookies);
    let address = client_address(&state, &headers, connect.as_ref().map(|c| &c.0));
    let pkcs7 = field("pkcs7").unwrap_or_default();
    let signed_in = match provider
        .esign_sign_in(&pkcs7, &binding, &handle, address)
        .await
    {
        Ok(signed_in) => signed_in,
        Err(EsignSignInError::Refused) => {
            let message = ctx.t("esign-failed");
            return render(&state, &ctx, &headers, &request, handle, Some(message)).await;
        }
        Err(EsignSignInError::Internal(e)) => return internal_page(&state, &ctx, &e),
    };
    let session = match provider
        .start_session(&signed_in.account.id, &signed_in.context)
        .await
    {
        Ok(session) => session,
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    if let Some(organization) = &signed_in.organization
        && let Err(e) = provider
            .store
            .set_session_organization(
                &session.session.id_hash,
                organization,
                session.session.expires_at,
            )
            .await
    {
        return internal_page(&state, &ctx, &e);
    }
    let cookie = cookies::set(
        cookies::SESSION,
        &session.cookie_value,
        provider.secure_cookies,
        None,
    );
    let resume = Resume {
        handle: Some(&handle),
        fresh_login: true,
        set_cookies: vec![cookie],
    };
    continue_flow(&state, &ctx, &request, Some(&session.session), resume).await
}

/// What binds a challenge to this browser: the hash of its CSRF cookie.
fn browser_binding(headers: &HeaderMap, secure: bool) -> Vec<u8> {
    let cookie = cookies::read(headers, cookies::CSRF, secure).unwrap_or_default();
    sha256(cookie.as_bytes())
}

async fn render(
    state: &AppState,
    ctx: &PageContext,
    headers: &HeaderMap,
    request: &AuthorizationRequest,
    handle: String,
    error: Option<String>,
) -> Response {
    let provider = &state.provider;
    let Some(esign) = &provider.esign else {
        return error_page(state, ctx, StatusCode::NOT_FOUND, "error-not-found", None);
    };
    let token = csrf::ensure(headers, provider.secure_cookies);
    let binding = sha256(token.value.as_bytes());
    let challenge = match provider.esign_challenge(&binding, &handle).await {
        Ok(challenge) => challenge,
        Err(e) => return internal_page(state, ctx, &e),
    };
    let client_name = provider
        .clients
        .get(&request.client_id)
        .map(|c| c.client_name.clone())
        .unwrap_or_default();
    let page = EsignPage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links(),
        password_href: format!("/login?request={handle}"),
        request: handle,
        csrf: token.value,
        client_name,
        challenge,
        ttl: esign.policy.challenge_ttl,
        error,
    };
    let csp = DEFAULT_CSP
        .replace(
            "default-src 'none';",
            &format!("default-src 'none'; script-src 'self'; connect-src {EIMZO_SOCKETS};"),
        )
        .replace(
            "form-action 'self'",
            &format!(
                "form-action 'self' {}",
                redirect_origin(&request.redirect_uri)
            ),
        );
    let mut response = PageResponse::render(state, ctx, StatusCode::OK, &page)
        .with_cookie(token.set_cookie)
        .with_csp(csp)
        .into_response();
    // The challenge is single use: never cache this page.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}
