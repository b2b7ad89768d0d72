//! `/authorize` (GET and POST, OIDC Core §3.1.2.1) and the step that follows every sign-in
//! page: ask for login, ask for consent, or issue the code.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

use super::cookies;
use super::error::{internal_page, oauth_error_page};
use super::extract::{form_params, query_params};
use super::pages::{PageContext, see_other};
use super::state::AppState;
use crate::oidc::OAuthError;
use crate::oidc::authorize::{AuthorizationRequest, AuthorizeError, RawParams, validate};
use crate::oidc::flow::Step;
use crate::store::Session;

pub async fn get(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let params = query_params(&uri);
    handle(&state, &params, &uri, &headers).await
}

pub async fn post(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match form_params(&headers, &body) {
        Ok(params) => handle(&state, &params, &uri, &headers).await,
        Err(error) => {
            let ctx = PageContext::new(&state, &uri, &headers, None);
            oauth_error_page(&state, &ctx, &error)
        }
    }
}

async fn handle(state: &AppState, params: &RawParams, uri: &Uri, headers: &HeaderMap) -> Response {
    let provider = &state.provider;
    let ui_locales = params.get("ui_locales").ok().flatten();
    let ctx = PageContext::new(state, uri, headers, ui_locales);
    let request = match validate(params, &provider.clients, &provider.keys, &provider.issuer) {
        Ok(request) => request,
        Err(error) => return authorize_error(state, &ctx, error),
    };
    let cookie = cookies::read(headers, cookies::SESSION, provider.secure_cookies);
    match provider.flow_session_from_cookie(cookie.as_deref()).await {
        Ok(session) => {
            continue_flow(state, &ctx, &request, session.as_ref(), Resume::default()).await
        }
        Err(e) => internal_page(state, &ctx, &e),
    }
}

/// Where a flow resumes from.
#[derive(Default)]
pub struct Resume<'a> {
    /// The stored pending request, when there is one already.
    pub handle: Option<&'a str>,
    /// The citizen has just signed in for this request.
    pub fresh_login: bool,
    /// Cookies to set on the next response (a new session).
    pub set_cookies: Vec<String>,
}

/// Moves a request on: to the sign-in page, the consent page, or back to the client with a
/// code.
pub async fn continue_flow(
    state: &AppState,
    ctx: &PageContext,
    request: &AuthorizationRequest,
    session: Option<&Session>,
    resume: Resume<'_>,
) -> Response {
    let provider = &state.provider;
    let Resume {
        handle,
        fresh_login,
        set_cookies,
    } = resume;
    let step = match provider.next_step(request, session, fresh_login).await {
        Ok(step) => step,
        Err(error) => return authorize_error(state, ctx, error),
    };
    if let (Step::IssueCode, Some(session)) = (step, session) {
        match provider.issue_code(request, session, handle, None).await {
            Ok(location) => return see_other(&location, set_cookies),
            // The session ended (perhaps on another node): on to the sign-in page.
            Err(AuthorizeError::SignInAgain) => {}
            Err(error) => return authorize_error(state, ctx, error),
        }
    }
    let page = match step {
        Step::Consent => "/consent",
        // Only an e-signature reaches the requested class: go straight to it.
        _ if provider.required_acr(request) == Some(crate::auth::login::acr::ESIGN) => {
            "/login/esign"
        }
        _ => "/login",
    };
    let handle = match handle {
        Some(handle) => handle.to_owned(),
        None => match provider.save_pending(request).await {
            Ok(handle) => handle,
            Err(e) => return internal_page(state, ctx, &e),
        },
    };
    see_other(&format!("{page}?request={handle}"), set_cookies)
}

pub fn authorize_error(state: &AppState, ctx: &PageContext, error: AuthorizeError) -> Response {
    match error {
        AuthorizeError::Page { error } => oauth_error_page(state, ctx, &error),
        AuthorizeError::Redirect {
            redirect_uri,
            state: client_state,
            error,
        } => see_other(
            &state
                .provider
                .error_redirect_url(&redirect_uri, client_state.as_deref(), &error),
            Vec::new(),
        ),
        // Callers that can resume the request on the sign-in page do so before this.
        AuthorizeError::SignInAgain => oauth_error_page(
            state,
            ctx,
            &OAuthError::invalid_request("the sign-in has ended; start again from the portal"),
        ),
    }
}

/// The origin (or, for a private-use scheme, `scheme:`) of a redirect URI, for the
/// `form-action` directive of pages whose forms end in a redirect to the client.
pub fn redirect_origin(uri: &str) -> String {
    match url::Url::parse(uri) {
        Ok(url) if url.origin().is_tuple() => url.origin().ascii_serialization(),
        Ok(url) => format!("{}:", url.scheme()),
        Err(_) => String::new(),
    }
}
