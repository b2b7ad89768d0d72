//! "My account": what the provider knows about the signed-in citizen, and their passkeys
//! (list, rename, remove; adding one is done by `static/passkeys.js` and `http::passkeys`).
//! Without a session (or with one still missing its required second factor) the page signs
//! the citizen in through the built-in `yagona-account` client.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::account_signin::sign_in_redirect;
use super::error::{error_page, internal_page};
use super::extract::form_params;
use super::pages::{PageContext, PageResponse, query_value, see_other};
use super::security::{DEFAULT_CSP, with_own_scripts};
use super::state::AppState;
use super::{cookies, csrf};
use crate::auth::passkeys::clean_name;
use crate::crypto::{b64url, b64url_decode};
use crate::oidc::userinfo::full_name;
use crate::pages::{AccountHomePage, PasskeyLine};
use crate::store::{Account, PasskeyRemoval, Session, StoreError, StoredPasskey};

/// Outcomes of the account forms, shown once after the redirect back: `(query value,
/// translation id, is an error)`.
const MESSAGES: [(&str, &str, bool); 7] = [
    ("added", "account-passkey-added", false),
    ("renamed", "account-passkey-renamed", false),
    ("removed", "account-passkey-removed", false),
    ("last-method", "account-passkey-last-method", true),
    ("not-found", "account-passkey-not-found", true),
    ("second-factor-on", "account-second-factor-on", false),
    ("second-factor-off", "account-second-factor-off", false),
];

pub async fn show(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let provider = &state.provider;
    let ctx = PageContext::new(&state, &uri, &headers, None);
    let (session, account) = match signed_in(&state, &headers).await {
        Ok(Some(found)) => found,
        Ok(None) => return sign_in_redirect(&state, &ctx),
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    let (passkeys, require_second_factor) = match passkey_details(&state, &session).await {
        Ok(details) => details,
        Err(e) => return internal_page(&state, &ctx, &e),
    };
    let message = query_value(&uri, "message")
        .and_then(|key| MESSAGES.iter().find(|(k, _, _)| *k == key))
        .map(|(_, id, is_error)| (ctx.t(id), *is_error));
    let token = csrf::ensure(&headers, provider.secure_cookies);
    let page = AccountHomePage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links(),
        csrf: token.value,
        display_name: full_name(&account)
            .or_else(|| account.username.clone())
            .unwrap_or_default(),
        username: account.username.clone(),
        email: account.email.clone(),
        phone: account.phone.clone(),
        pinfl_masked: account.pinfl.as_deref().map(mask_pinfl),
        passkeys_enabled: provider.passkeys.is_some(),
        passkeys: passkeys.iter().map(passkey_line).collect(),
        require_second_factor,
        notice: message.clone().filter(|(_, e)| !e).map(|(m, _)| m),
        error: message.filter(|(_, e)| *e).map(|(m, _)| m),
    };
    let mut response =
        PageResponse::render(&state, &ctx, StatusCode::OK, &page).with_cookie(token.set_cookie);
    if provider.passkeys.is_some() {
        response = response.with_csp(with_own_scripts(DEFAULT_CSP));
    }
    response.into_response()
}

/// `POST /account/passkeys/{id}/rename` (fields `csrf`, `name`).
pub async fn rename_passkey(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (account, params) = match account_form(&state, &uri, &headers, &body).await {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let ctx = PageContext::new(&state, &uri, &headers, None);
    let Some(credential_id) = b64url_decode(&id) else {
        return done("not-found");
    };
    let name = clean_name(&params.name, &ctx.t("passkey-default-name"));
    match state
        .provider
        .store
        .rename_passkey(&account.id, &credential_id, &name)
        .await
    {
        Ok(true) => done("renamed"),
        Ok(false) => done("not-found"),
        Err(e) => internal_page(&state, &ctx, &e),
    }
}

/// `POST /account/passkeys/{id}/delete` (field `csrf`). The last way to sign in stays.
pub async fn delete_passkey(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (account, _) = match account_form(&state, &uri, &headers, &body).await {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let Some(credential_id) = b64url_decode(&id) else {
        return done("not-found");
    };
    let provider = &state.provider;
    match provider
        .store
        .remove_passkey(&account.id, &credential_id, provider.now())
        .await
    {
        Ok(PasskeyRemoval::Removed) => {
            tracing::info!("passkey removed");
            done("removed")
        }
        Ok(PasskeyRemoval::LastSignInMethod) => done("last-method"),
        Ok(PasskeyRemoval::NotFound) => done("not-found"),
        Err(e) => {
            let ctx = PageContext::new(&state, &uri, &headers, None);
            internal_page(&state, &ctx, &e)
        }
    }
}

/// `POST /account/second-factor` (fields `csrf`, `required` = `on` or `off`). Only an account
/// with a passkey can require one.
pub async fn set_second_factor(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (account, params) = match account_form(&state, &uri, &headers, &body).await {
        Ok(accepted) => accepted,
        Err(response) => return response,
    };
    let provider = &state.provider;
    let required = params.required.as_deref() == Some("on");
    let result = async {
        if required
            && provider
                .store
                .passkeys_for_account(&account.id)
                .await?
                .is_empty()
        {
            return Ok(false);
        }
        provider
            .store
            .set_require_second_factor(&account.id, required, provider.now())
            .await
            .map(|()| true)
    }
    .await;
    match result {
        Ok(true) if required => done("second-factor-on"),
        Ok(true) => done("second-factor-off"),
        Ok(false) => done("not-found"),
        Err(e) => {
            let ctx = PageContext::new(&state, &uri, &headers, None);
            internal_page(&state, &ctx, &e)
        }
    }
}

/// The signed-in citizen: a live session whose account exists, is enabled, and has any
/// second factor it requires. `None` means "sign in first".
pub async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(Session, Account)>, StoreError> {
    let provider = &state.provider;
    let cookie = cookies::read(headers, cookies::SESSION, provider.secure_cookies);
    let Some(session) = provider.session_from_cookie(cookie.as_deref()).await? else {
        return Ok(None);
    };
    if provider.second_factor_missing(&session) {
        return Ok(None);
    }
    let account = provider.store.account(&session.account_id).await?;
    Ok(account
        .filter(|account| !account.disabled)
        .map(|account| (session, account)))
}

/// The fields the account forms send.
struct AccountForm {
    name: String,
    required: Option<String>,
}

/// Checks an account form (signed in, CSRF token, our origin) and parses it.
async fn account_form(
    state: &AppState,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Account, AccountForm), Response> {
    let provider = &state.provider;
    let ctx = PageContext::new(state, uri, headers, None);
    let bad_request = || {
        error_page(
            state,
            &ctx,
            StatusCode::BAD_REQUEST,
            "error-bad-request",
            None,
        )
    };
    let params = form_params(headers, body).map_err(|_| bad_request())?;
    let field = |name| params.get(name).ok().flatten().map(str::to_owned);
    if !csrf::verify(
        headers,
        provider.secure_cookies,
        field("csrf").as_deref(),
        &provider.issuer,
    ) {
        return Err(error_page(
            state,
            &ctx,
            StatusCode::FORBIDDEN,
            "error-csrf",
            None,
        ));
    }
    let account = match signed_in(state, headers).await {
        Ok(Some((_, account))) => account,
        Ok(None) => return Err(see_other("/account", Vec::new())),
        Err(e) => return Err(internal_page(state, &ctx, &e)),
    };
    Ok((
        account,
        AccountForm {
            name: field("name").unwrap_or_default(),
            required: field("required"),
        },
    ))
}

/// The account's passkeys and whether it requires a second factor (read with the session).
async fn passkey_details(
    state: &AppState,
    session: &Session,
) -> Result<(Vec<StoredPasskey>, bool), StoreError> {
    if state.provider.passkeys.is_none() {
        return Ok((Vec::new(), false));
    }
    let passkeys = state
        .provider
        .store
        .passkeys_for_account(&session.account_id)
        .await?;
    Ok((passkeys, session.second_factor_required))
}

fn passkey_line(passkey: &StoredPasskey) -> PasskeyLine {
    PasskeyLine {
        id: b64url(&passkey.credential_id),
        name: passkey.name.clone(),
        created: civil_date(passkey.created_at),
        last_used: passkey.last_used_at.map(civil_date),
        synced: passkey.backup_eligible,
    }
}

/// Back to the account page with a one-time message.
fn done(message: &str) -> Response {
    see_other(&format!("/account?message={message}"), Vec::new())
}

/// `YYYY-MM-DD` (UTC) of a Unix time (H. Hinnant's days-to-civil algorithm).
pub fn civil_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_utc_calendar_days() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
        assert_eq!(civil_date(1_750_000_000), "2025-06-15");
        assert_eq!(civil_date(-86_400), "1969-12-31");
    }

    #[test]
    fn pinfl_is_masked_in_the_middle() {
        assert_eq!(mask_pinfl("31234567890123"), "3**********123");
    }
}
