//! "My account": what the provider knows about the signed-in citizen.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::error::internal_page;
use super::pages::{PageContext, PageResponse};
use super::state::AppState;
use super::{cookies, csrf};
use crate::oidc::userinfo::full_name;
use crate::pages::{AccountHomePage, SignedOutPage};

pub async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let provider = &state.provider;
    let ctx = PageContext::new(&state, &uri, &headers, None);
    let cookie = cookies::read(&headers, cookies::SESSION, provider.secure_cookies);
    let session = match provider.session_from_cookie(cookie.as_deref()).await {
        Ok(Some(session)) => session,
        Ok(None) => return signed_out(&state, &ctx),
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    let account = match provider.store.account(&session.account_id).await {
        Ok(Some(account)) => account,
        Ok(None) => return signed_out(&state, &ctx),
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    let token = csrf::ensure(&headers, provider.secure_cookies);
    let page = AccountHomePage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links.clone(),
        csrf: token.value,
        display_name: full_name(&account)
            .or_else(|| account.username.clone())
            .unwrap_or_default(),
        username: account.username.clone(),
        email: account.email.clone(),
        phone: account.phone.clone(),
        pinfl_masked: account.pinfl.as_deref().map(mask_pinfl),
    };
    PageResponse::render(&state, &ctx, StatusCode::OK, &page)
        .with_cookie(token.set_cookie)
        .into_response()
}

fn signed_out(state: &AppState, ctx: &PageContext) -> Response {
    let page = SignedOutPage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links.clone(),
    };
    PageResponse::render(state, ctx, StatusCode::OK, &page).into_response()
}

/// `3**********123`: enough to recognise, not enough to copy.
pub fn mask_pinfl(pinfl: &str) -> String {
    pinfl
        .char_indices()
        .map(|(i, c)| {
            if i == 0 || i + 3 >= pinfl.len() {
                c
            } else {
                '*'
            }
        })
        .collect()
}
