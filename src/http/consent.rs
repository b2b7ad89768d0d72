//! The consent page (`/consent`): the citizen allows or refuses what a portal asks for.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::authorize::{authorize_error, redirect_origin};
use super::error::{error_page, internal_page};
use super::extract::form_params;
use super::login::expired;
use super::pages::{PageContext, PageResponse, query_value, see_other};
use super::security::csp_with_form_action;
use super::state::AppState;
use super::{cookies, csrf};
use crate::oidc::authorize::{AuthorizationRequest, AuthorizeError};
use crate::oidc::userinfo::full_name;
use crate::pages::{ConsentPage, ScopeLine};
use crate::store::Session;

/// A pending request together with the signed-in session it continues.
struct Pending {
    handle: String,
    request: AuthorizationRequest,
    session: Option<Session>,
}

impl Pending {
    /// To the sign-in page for the same request (the session ended in between).
    fn sign_in_again(&self) -> Response {
        see_other(&format!("/login?request={}", self.handle), Vec::new())
    }
}

async fn load(
    state: &AppState,
    headers: &HeaderMap,
    handle: String,
) -> Result<Option<Pending>, String> {
    let provider = &state.provider;
    let Some(request) = provider.pending(&handle).await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let cookie = cookies::read(headers, cookies::SESSION, provider.secure_cookies);
    let session = provider
        .flow_session_from_cookie(cookie.as_deref())
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(Pending {
        handle,
        request,
        session,
    }))
}

pub async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let handle = query_value(&uri, "request").unwrap_or_default();
    let pending = match load(&state, &headers, handle).await {
        Ok(Some(pending)) => pending,
        Ok(None) => return expired(&state, &uri, &headers),
        Err(e) => {
            return internal_page(&state, &PageContext::new(&state, &uri, &headers, None), &e);
        }
    };
    let ctx = PageContext::new(
        &state,
        &uri,
        &headers,
        pending.request.ui_locales.as_deref(),
    );
    let Some(session) = &pending.session else {
        // Signed out in between: sign in again for the same request.
        return pending.sign_in_again();
    };
    let account = match state.provider.recent_account(&session.account_id).await {
        Ok(account) => account,
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    let account_label = account
        .as_deref()
        .and_then(|a| full_name(a).or_else(|| a.username.clone()))
        .unwrap_or_default();
    let token = csrf::ensure(&headers, state.provider.secure_cookies);
    let page = ConsentPage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links(),
        request: pending.handle.clone(),
        csrf: token.value,
        client_name: client_name(&state, &pending.request),
        scopes: pending
            .request
            .scopes()
            .iter()
            .map(|scope| ScopeLine {
                scope: scope.to_owned(),
                description: ctx.t(&format!("scope-{scope}")),
            })
            .collect(),
        account_label,
    };
    let csp = csp_with_form_action(&[redirect_origin(&pending.request.redirect_uri)]);
    PageResponse::render(&state, &ctx, StatusCode::OK, &page)
        .with_cookie(token.set_cookie)
        .with_csp(csp)
        .into_response()
}

pub async fn submit(
    State(state): State<AppState>,
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
    let pending = match load(&state, &headers, field("request").unwrap_or_default()).await {
        Ok(Some(pending)) => pending,
        Ok(None) => return expired(&state, &uri, &headers),
        Err(e) => {
            return internal_page(&state, &PageContext::new(&state, &uri, &headers, None), &e);
        }
    };
    let ctx = PageContext::new(
        &state,
        &uri,
        &headers,
        pending.request.ui_locales.as_deref(),
    );
    if !csrf::verify(
        &headers,
        provider.secure_cookies,
        field("csrf").as_deref(),
        &provider.issuer,
    ) {
        return error_page(&state, &ctx, StatusCode::FORBIDDEN, "error-csrf", None);
    }
    let Some(session) = &pending.session else {
        return pending.sign_in_again();
    };
    if field("decision").as_deref() != Some("allow") {
        if let Err(e) = provider.finish_pending(&pending.handle).await {
            return internal_page(&state, &ctx, &e);
        }
        return see_other(&provider.access_denied(&pending.request), Vec::new());
    }
    let consented = pending.request.scopes().as_string();
    // Sign-in was settled before the consent page was shown; consent is settled now, and
    // recorded with the grant (added to what the citizen granted the portal before).
    match provider
        .issue_code(
            &pending.request,
            session,
            Some(&pending.handle),
            Some(&consented),
        )
        .await
    {
        Ok(location) => see_other(&location, Vec::new()),
        Err(AuthorizeError::SignInAgain) => pending.sign_in_again(),
        Err(error) => authorize_error(&state, &ctx, error),
    }
}

fn client_name(state: &AppState, request: &AuthorizationRequest) -> String {
    state
        .provider
        .clients
        .get(&request.client_id)
        .map(|c| c.client_name.clone())
        .unwrap_or_default()
}
