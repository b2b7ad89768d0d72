//! RP-initiated logout (`/logout`) and its confirmation form (`/logout/confirm`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::authorize::redirect_origin;
use super::error::{error_page, internal_page};
use super::extract::{form_params, query_params};
use super::pages::{PageContext, PageResponse, see_other};
use super::security::csp_with_form_action;
use super::state::AppState;
use super::{cookies, csrf};
use crate::oidc::authorize::RawParams;
use crate::oidc::logout::LogoutRequest;
use crate::pages::{LogoutConfirmPage, SignedOutPage};

pub async fn start(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = if method == Method::POST {
        form_params(&headers, &body).unwrap_or_else(|_| RawParams::new(Vec::new()))
    } else {
        query_params(&uri)
    };
    let ui_locales = params.get("ui_locales").ok().flatten();
    let ctx = PageContext::new(&state, &uri, &headers, ui_locales);
    let request = match state.provider.validate_logout(&params) {
        Ok(request) => request,
        Err(error) => {
            let detail = format!("{}: {}", error.code, error.description);
            return error_page(
                &state,
                &ctx,
                StatusCode::BAD_REQUEST,
                "error-logout-invalid",
                Some(&detail),
            );
        }
    };
    let provider = &state.provider;
    let cookie = cookies::read(&headers, cookies::SESSION, provider.secure_cookies);
    let session = match provider.session_from_cookie(cookie.as_deref()).await {
        Ok(session) => session,
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    if request.may_skip_confirmation(session.as_ref().map(|s| s.account_id.as_str())) {
        return sign_out(&state, &ctx, &headers, &request).await;
    }
    let token = csrf::ensure(&headers, provider.secure_cookies);
    let client_name = request
        .client_id
        .as_deref()
        .and_then(|id| provider.clients.get(id))
        .map(|c| c.client_name.clone());
    let page = LogoutConfirmPage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links(),
        csrf: token.value,
        client_name,
        hidden: request.carry.clone(),
    };
    let origins: Vec<String> = request
        .redirect
        .iter()
        .map(|r| redirect_origin(r))
        .collect();
    PageResponse::render(&state, &ctx, StatusCode::OK, &page)
        .with_cookie(token.set_cookie)
        .with_csp(csp_with_form_action(&origins))
        .into_response()
}

pub async fn confirm(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = form_params(&headers, &body).unwrap_or_else(|_| RawParams::new(Vec::new()));
    let ctx = PageContext::new(
        &state,
        &uri,
        &headers,
        params.get("ui_locales").ok().flatten(),
    );
    let provider = &state.provider;
    let submitted = params.get("csrf").ok().flatten();
    if !csrf::verify(
        &headers,
        provider.secure_cookies,
        submitted,
        &provider.issuer,
    ) {
        return error_page(&state, &ctx, StatusCode::FORBIDDEN, "error-csrf", None);
    }
    let request = match provider.validate_logout(&params) {
        Ok(request) => request,
        Err(_) => {
            return error_page(
                &state,
                &ctx,
                StatusCode::BAD_REQUEST,
                "error-logout-invalid",
                None,
            );
        }
    };
    if params.get("decision").ok().flatten() != Some("logout") {
        return see_other("/account", Vec::new());
    }
    sign_out(&state, &ctx, &headers, &request).await
}

/// Ends the SSO session, clears its cookie, and goes back to the client or says goodbye.
async fn sign_out(
    state: &AppState,
    ctx: &PageContext,
    headers: &HeaderMap,
    request: &LogoutRequest,
) -> Response {
    let provider = &state.provider;
    let cookie = cookies::read(headers, cookies::SESSION, provider.secure_cookies);
    match provider.session_from_cookie(cookie.as_deref()).await {
        Ok(Some(session)) => {
            if let Err(e) = provider.end_session(&session).await {
                return internal_page(state, ctx, &e);
            }
        }
        Ok(None) => {}
        Err(e) => return internal_page(state, ctx, &e),
    }
    let clear = cookies::delete(cookies::SESSION, provider.secure_cookies);
    match &request.redirect {
        Some(location) => see_other(location, vec![clear]),
        None => {
            let page = SignedOutPage {
                tr: ctx.tr.clone(),
                lang_links: ctx.lang_links(),
            };
            PageResponse::render(state, ctx, StatusCode::OK, &page)
                .with_cookie(Some(clear))
                .into_response()
        }
    }
}
