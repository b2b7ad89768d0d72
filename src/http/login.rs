//! The password sign-in page (`/login`), reached from `/authorize` with a pending request.

use std::net::SocketAddr;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::authorize::{Resume, continue_flow, redirect_origin};
use super::error::{error_page, internal_page};
use super::extract::{client_address, form_params};
use super::pages::{PageContext, PageResponse, query_value};
use super::security::{csp_with_form_action, with_own_scripts};
use super::state::AppState;
use super::{cookies, csrf};
use crate::auth::AuthContext;
use crate::oidc::authorize::AuthorizationRequest;
use crate::oidc::session::SignInError;
use crate::pages::LoginPage;
use crate::store::StoreError;

pub async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let handle = query_value(&uri, "request").unwrap_or_default();
    let request = match pending_or_page(&state, &uri, &headers, &handle).await {
        Ok(request) => request,
        Err(page) => return page,
    };
    let ctx = PageContext::new(&state, &uri, &headers, request.ui_locales.as_deref());
    let login_hint = request.login_hint.clone().unwrap_or_default();
    let view = LoginView {
        handle,
        login_hint,
        error: None,
    };
    render(&state, &ctx, &headers, &request, view).await
}

/// What one rendering of the sign-in page shows.
struct LoginView {
    /// The pending request's handle.
    handle: String,
    login_hint: String,
    /// An already-translated error.
    error: Option<String>,
}

/// The submitted sign-in form.
struct LoginForm {
    request: String,
    csrf: Option<String>,
    login: String,
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let provider = &state.provider;
    let Some(form) = parse(&headers, &body) else {
        let ctx = PageContext::new(&state, &uri, &headers, None);
        return error_page(
            &state,
            &ctx,
            StatusCode::BAD_REQUEST,
            "error-bad-request",
            None,
        );
    };
    let request = match pending_or_page(&state, &uri, &headers, &form.request).await {
        Ok(request) => request,
        Err(page) => return page,
    };
    let ctx = PageContext::new(&state, &uri, &headers, request.ui_locales.as_deref());
    if !csrf::verify(
        &headers,
        provider.secure_cookies,
        form.csrf.as_deref(),
        &provider.issuer,
    ) {
        return error_page(&state, &ctx, StatusCode::FORBIDDEN, "error-csrf", None);
    }
    if form.login.trim().is_empty() || form.password.is_empty() {
        let view = LoginView {
            handle: form.request,
            login_hint: form.login,
            error: Some(ctx.t("error-login-required-fields")),
        };
        return render(&state, &ctx, &headers, &request, view).await;
    }
    let address = client_address(&state, &headers, connect.as_ref().map(|c| &c.0));
    let account = match provider
        .password_sign_in(&form.login, form.password, address)
        .await
    {
        Ok(account) => account,
        Err(error) => {
            let message = match error {
                SignInError::Failed => ctx.t("error-login-failed"),
                SignInError::Throttled(_) => ctx.t("error-throttled"),
                SignInError::Internal(e) => return internal_page(&state, &ctx, &e),
            };
            let view = LoginView {
                handle: form.request,
                login_hint: form.login,
                error: Some(message),
            };
            return render(&state, &ctx, &headers, &request, view).await;
        }
    };
    let new_session = match provider
        .start_session(&account.id, &AuthContext::password())
        .await
    {
        Ok(new_session) => new_session,
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    let session_cookie = cookies::set(
        cookies::SESSION,
        &new_session.cookie_value,
        provider.secure_cookies,
        None,
    );
    let resume = Resume {
        handle: Some(&form.request),
        fresh_login: true,
        set_cookies: vec![session_cookie],
    };
    continue_flow(&state, &ctx, &request, Some(&new_session.session), resume).await
}

fn parse(headers: &HeaderMap, body: &[u8]) -> Option<LoginForm> {
    let params = form_params(headers, body).ok()?;
    let field = |name| params.get(name).ok().flatten().map(str::to_owned);
    Some(LoginForm {
        request: field("request")?,
        csrf: field("csrf"),
        login: field("login").unwrap_or_default(),
        password: field("password").unwrap_or_default(),
    })
}

async fn render(
    state: &AppState,
    ctx: &PageContext,
    headers: &HeaderMap,
    request: &AuthorizationRequest,
    view: LoginView,
) -> Response {
    let second_factor = match offers_second_factor(state, headers, request).await {
        Ok(offered) => offered,
        Err(e) => return internal_page(state, ctx, &e),
    };
    let token = csrf::ensure(headers, state.provider.secure_cookies);
    let client_name = state
        .provider
        .clients
        .get(&request.client_id)
        .map(|c| c.client_name.clone())
        .unwrap_or_default();
    let passkeys = state.provider.passkeys.is_some();
    let page = LoginPage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links(),
        request: view.handle.clone(),
        csrf: token.value,
        client_name,
        login_hint: view.login_hint,
        error: view.error,
        passkeys,
        second_factor,
        passkey_required: state.provider.request_wants_passkey(request),
        esign_href: state
            .provider
            .esign
            .is_some()
            .then(|| format!("/login/esign?request={}", view.handle)),
    };
    // A successful sign-in redirects to the client, so its origin is a form target.
    let mut csp = csp_with_form_action(&[redirect_origin(&request.redirect_uri)]);
    if passkeys {
        csp = with_own_scripts(&csp);
    }
    PageResponse::render(state, ctx, StatusCode::OK, &page)
        .with_cookie(token.set_cookie)
        .with_csp(csp)
        .into_response()
}

/// Whether the browser's session should be confirmed with a passkey rather than signed in
/// again (see `Provider::offers_second_factor`).
async fn offers_second_factor(
    state: &AppState,
    headers: &HeaderMap,
    request: &AuthorizationRequest,
) -> Result<bool, StoreError> {
    let provider = &state.provider;
    let cookie = cookies::read(headers, cookies::SESSION, provider.secure_cookies);
    match provider.session_from_cookie(cookie.as_deref()).await? {
        Some(session) => provider.offers_second_factor(request, &session).await,
        None => Ok(false),
    }
}

/// The pending request behind `handle`, or the page to show instead: "expired" when it is
/// gone, an internal error page when the store failed.
pub async fn pending_or_page(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    handle: &str,
) -> Result<AuthorizationRequest, Response> {
    match state.provider.pending(handle).await {
        Ok(Some(request)) => Ok(request),
        Ok(None) => Err(expired(state, uri, headers)),
        Err(e) => Err(internal_page(
            state,
            &PageContext::new(state, uri, headers, None),
            &e,
        )),
    }
}

/// The pending request is gone (expired, finished, or never existed).
pub fn expired(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Response {
    let ctx = PageContext::new(state, uri, headers, None);
    error_page(
        state,
        &ctx,
        StatusCode::BAD_REQUEST,
        "error-request-expired",
        None,
    )
}
