//! The passkey JSON endpoints the browser script (`static/passkeys.js`) calls: start and finish
//! a sign-in (passwordless or second factor) and a registration. Every request must be JSON,
//! carry the CSRF token in `X-CSRF-Token` and come from our origin. Refusals answer 400 with
//! `{"error": message, "code": code}` and change nothing; only our own failures answer 500.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::account::signed_in;
use super::authorize::{Resume, continue_flow};
use super::pages::PageContext;
use super::state::AppState;
use super::{cookies, csrf};
use crate::auth::Passkeys;
use crate::auth::passkeys::{Answer, PasskeyError, clean_name};
use crate::crypto::token_hash;
use crate::oidc::authorize::AuthorizationRequest;
use crate::oidc::session::SignInError;
use crate::store::Session;

/// Which sign-in the script asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    /// The "Sign in with a passkey" button.
    Modal,
    /// The browser's autofill (conditional mediation).
    Conditional,
    /// "Confirm with your passkey" after a password.
    SecondFactor,
}

#[derive(Deserialize)]
struct LoginStart {
    request: String,
    mode: Mode,
}

#[derive(Deserialize)]
struct LoginFinish {
    request: String,
    mode: Mode,
    ceremony: String,
    credential: PublicKeyCredential,
}

#[derive(Deserialize)]
struct RegisterFinish {
    ceremony: String,
    #[serde(default)]
    name: String,
    credential: RegisterPublicKeyCredential,
}

/// `POST /passkeys/login/start`: the options for `navigator.credentials.get()`.
pub async fn login_start(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (passkeys, start) = match accept::<LoginStart>(&state, &headers, &body) {
        Ok(accepted) => accepted,
        Err(response) => return *response,
    };
    let provider = &state.provider;
    if let Err(response) = pending(&state, &start.request).await {
        return response;
    }
    let now = provider.now();
    let store = provider.store.as_ref();
    let started = match start.mode {
        Mode::SecondFactor => {
            let session = match session(&state, &headers).await {
                Ok(Some(session)) => session,
                Ok(None) => return expired_session(),
                Err(response) => return response,
            };
            passkeys
                .start_second_factor(store, &session.account_id, &session.id_hash, now)
                .await
        }
        mode => {
            let binding = login_binding(&state, &headers);
            passkeys
                .start_login(store, &binding, mode == Mode::Conditional, now)
                .await
        }
    };
    match started {
        Ok(started) => Json(started).into_response(),
        Err(error) => passkey_error(&error),
    }
}

/// `POST /passkeys/login/finish`: verifies the assertion, starts the session and answers
/// `{"redirect": url}` where the authorization flow continues (consent or the client).
pub async fn login_finish(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (passkeys, finish) = match accept::<LoginFinish>(&state, &headers, &body) {
        Ok(accepted) => accepted,
        Err(response) => return *response,
    };
    let provider = &state.provider;
    let request = match pending(&state, &finish.request).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let previous = match session(&state, &headers).await {
        Ok(previous) => previous,
        Err(response) => return response,
    };
    let binding = match (finish.mode, &previous) {
        (Mode::SecondFactor, Some(session)) => session.id_hash.clone(),
        (Mode::SecondFactor, None) => return expired_session(),
        _ => login_binding(&state, &headers),
    };
    let store = provider.store.as_ref();
    let answer = Answer {
        ceremony_id: &finish.ceremony,
        binding: &binding,
        credential: &finish.credential,
    };
    let sign_in = match passkeys
        .finish_authentication(store, answer, provider.now())
        .await
    {
        Ok(sign_in) => sign_in,
        Err(error) => return passkey_error(&error),
    };
    let new_session = match provider.passkey_session(&sign_in, previous.as_ref()).await {
        Ok(new_session) => new_session,
        Err(SignInError::Internal(e)) => return internal(&e),
        Err(_) => return passkey_error(&PasskeyError::AccountUnavailable),
    };
    let ctx = PageContext::new(&state, &uri, &headers, request.ui_locales.as_deref());
    let resume = Resume {
        handle: Some(&finish.request),
        fresh_login: true,
        set_cookies: vec![cookies::set(
            cookies::SESSION,
            &new_session.cookie_value,
            provider.secure_cookies,
            None,
        )],
    };
    let next = continue_flow(&state, &ctx, &request, Some(&new_session.session), resume).await;
    redirect_as_json(next)
}

/// `POST /account/passkeys/register/start`: the options for `navigator.credentials.create()`.
pub async fn register_start(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (passkeys, _) = match accept::<serde_json::Value>(&state, &headers, &body) {
        Ok(accepted) => accepted,
        Err(response) => return *response,
    };
    let provider = &state.provider;
    let (session, account) = match signed_in(&state, &headers).await {
        Ok(Some(found)) => found,
        Ok(None) => return expired_session(),
        Err(e) => return internal(&e),
    };
    let user_name = account
        .username
        .clone()
        .or_else(|| account.email.clone())
        .or_else(|| account.phone.clone())
        .unwrap_or_else(|| account.id.clone());
    match passkeys
        .start_registration(
            provider.store.as_ref(),
            &account.id,
            &user_name,
            &session.id_hash,
            provider.now(),
        )
        .await
    {
        Ok(started) => Json(started).into_response(),
        Err(error) => passkey_error(&error),
    }
}

/// `POST /account/passkeys/register/finish`: verifies and stores the new passkey.
pub async fn register_finish(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (passkeys, finish) = match accept::<RegisterFinish>(&state, &headers, &body) {
        Ok(accepted) => accepted,
        Err(response) => return *response,
    };
    let provider = &state.provider;
    let (session, account) = match signed_in(&state, &headers).await {
        Ok(Some(found)) => found,
        Ok(None) => return expired_session(),
        Err(e) => return internal(&e),
    };
    let ctx = PageContext::new(&state, &uri, &headers, None);
    let name = clean_name(&finish.name, &ctx.t("passkey-default-name"));
    match passkeys
        .finish_registration(
            provider.store.as_ref(),
            Answer {
                ceremony_id: &finish.ceremony,
                binding: &session.id_hash,
                credential: &finish.credential,
            },
            &account.id,
            &name,
            provider.now(),
        )
        .await
    {
        Ok(_) => {
            tracing::info!("passkey registered");
            Json(json!({ "redirect": "/account?message=added" })).into_response()
        }
        Err(error) => passkey_error(&error),
    }
}

/// Checks what every passkey request needs (passkeys on, a JSON body, the CSRF header and our
/// origin) and parses the body.
fn accept<'a, T: DeserializeOwned>(
    state: &'a AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(&'a Passkeys, T), Box<Response>> {
    let provider = &state.provider;
    let Some(passkeys) = provider.passkeys.as_deref() else {
        return Err(Box::new(json_error(
            StatusCode::NOT_FOUND,
            "passkeys are not enabled",
            "disabled",
        )));
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(Box::new(bad_request(
            "the body must be application/json",
            "malformed",
        )));
    }
    if !csrf::verify_header(headers, provider.secure_cookies, &provider.issuer) {
        return Err(Box::new(json_error(
            StatusCode::FORBIDDEN,
            "the page has expired; reload it and try again",
            "csrf",
        )));
    }
    let parsed = serde_json::from_slice(body)
        .map_err(|e| Box::new(bad_request(&format!("malformed request: {e}"), "malformed")))?;
    Ok((passkeys, parsed))
}

async fn pending(state: &AppState, handle: &str) -> Result<AuthorizationRequest, Response> {
    match state.provider.pending(handle).await {
        Ok(Some(request)) => Ok(request),
        Ok(None) => Err(bad_request(
            "this sign-in page has expired; go back to the portal and start again",
            "expired",
        )),
        Err(e) => Err(internal(&e)),
    }
}

async fn session(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, Response> {
    let provider = &state.provider;
    let cookie = cookies::read(headers, cookies::SESSION, provider.secure_cookies);
    provider
        .session_from_cookie(cookie.as_deref())
        .await
        .map_err(|e| internal(&e))
}

/// What ties a passwordless sign-in ceremony to this browser: its CSRF cookie (checked equal
/// to the header already), hashed with a label so the value is not reused as is.
fn login_binding(state: &AppState, headers: &HeaderMap) -> Vec<u8> {
    let csrf =
        cookies::read(headers, cookies::CSRF, state.provider.secure_cookies).unwrap_or_default();
    token_hash(&format!("passkey-login:{csrf}"))
}

/// `continue_flow` answers with a redirect (and cookies); the script wants it as JSON.
fn redirect_as_json(next: Response) -> Response {
    let location = next
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(location) = location.filter(|_| next.status() == StatusCode::SEE_OTHER) else {
        let status = if next.status().is_server_error() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        return json_error(status, "the sign-in could not continue", "flow");
    };
    let mut response = Json(json!({ "redirect": location })).into_response();
    for cookie in next.headers().get_all(header::SET_COOKIE) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    response
}

fn passkey_error(error: &PasskeyError) -> Response {
    if error.is_internal() {
        return internal(error);
    }
    tracing::info!(reason = %error, "passkey ceremony refused");
    bad_request(&error.to_string(), error.code())
}

fn expired_session() -> Response {
    json_error(
        StatusCode::UNAUTHORIZED,
        "you are not signed in any more; sign in again",
        "signed_out",
    )
}

fn bad_request(message: &str, code: &str) -> Response {
    json_error(StatusCode::BAD_REQUEST, message, code)
}

fn internal(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "internal error in a passkey request");
    json_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "something went wrong on our side; please try again later",
        "internal",
    )
}

fn json_error(status: StatusCode, message: &str, code: &str) -> Response {
    let mut response = (status, Json(json!({ "error": message, "code": code }))).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
