//! Error responses: spec-shaped JSON for protocol endpoints, friendly pages for browsers.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::pages::{PageContext, PageResponse};
use super::state::AppState;
use crate::oidc::{ErrorCode, OAuthError};
use crate::pages::ErrorPage;

/// RFC 6749 §5.2 error body. `invalid_client` answers 401 with a `WWW-Authenticate`
/// challenge; `server_error` 500; everything else 400.
pub fn oauth_json(error: &OAuthError) -> Response {
    let status = match error.code {
        ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = json!({ "error": error.code.as_str(), "error_description": error.description });
    let mut response = (status, Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if error.code == ErrorCode::InvalidClient {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"yagona\""),
        );
    }
    response
}

/// RFC 6750 §3: bearer token errors in `WWW-Authenticate`, with a JSON body too.
pub fn bearer_error(error: &OAuthError) -> Response {
    let status = match error.code {
        ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
        ErrorCode::InvalidRequest => StatusCode::BAD_REQUEST,
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNAUTHORIZED,
    };
    let challenge = if error.code == ErrorCode::ServerError {
        "Bearer realm=\"yagona\"".to_owned()
    } else {
        format!(
            "Bearer realm=\"yagona\", error=\"{}\", error_description=\"{}\"",
            error.code.as_str(),
            error.description.replace(['"', '\\'], "'")
        )
    };
    let body = json!({ "error": error.code.as_str(), "error_description": error.description });
    let mut response = (status, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// A bearer request without any token (RFC 6750 §3.1: no error code).
pub fn bearer_missing() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        Json(json!({ "error": "invalid_request", "error_description": "an access token is required" })),
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"yagona\""),
    );
    response
}

/// A friendly error page. `message_id` is a translation id; `code` is shown small for
/// support staff.
pub fn error_page(
    state: &AppState,
    ctx: &PageContext,
    status: StatusCode,
    message_id: &str,
    code: Option<&str>,
) -> Response {
    let page = ErrorPage {
        tr: ctx.tr.clone(),
        lang_links: ctx.lang_links(),
        title: ctx.t("error-title"),
        message: ctx.t(message_id),
        code: code.map(str::to_owned),
    };
    PageResponse::render(state, ctx, status, &page).into_response()
}

/// The error page for an OAuth error that must not be redirected (bad client or redirect URI).
pub fn oauth_error_page(state: &AppState, ctx: &PageContext, error: &OAuthError) -> Response {
    let message_id = match error.code {
        ErrorCode::InvalidClient => "error-invalid-client",
        ErrorCode::ServerError => "error-internal",
        _ if error.description.contains("redirect_uri")
            || error.description.contains("client_id") =>
        {
            "error-invalid-client"
        }
        _ => "error-bad-request",
    };
    let status = if error.code == ErrorCode::ServerError {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::BAD_REQUEST
    };
    let detail = format!("{}: {}", error.code.as_str(), error.description);
    error_page(state, ctx, status, message_id, Some(&detail))
}

pub fn internal_page(
    state: &AppState,
    ctx: &PageContext,
    error: &dyn std::fmt::Display,
) -> Response {
    tracing::error!(%error, "internal error while serving a page");
    error_page(
        state,
        ctx,
        StatusCode::INTERNAL_SERVER_ERROR,
        "error-internal",
        None,
    )
}

pub async fn not_found(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = PageContext::new(&state, &uri, &headers, None);
    error_page(&state, &ctx, StatusCode::NOT_FOUND, "error-not-found", None)
}
