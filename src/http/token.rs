//! `/token`, `/introspect` and `/revoke`: form-encoded requests with client authentication,
//! answered with JSON and `Cache-Control: no-store` (RFC 6749 §5.1).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::oauth_json;
use super::extract::{client_credentials, form_params};
use super::state::AppState;
use crate::clients::ClientCredentials;
use crate::oidc::OAuthError;
use crate::oidc::authorize::RawParams;

fn parse(headers: &HeaderMap, body: &[u8]) -> Result<(RawParams, ClientCredentials), OAuthError> {
    let params = form_params(headers, body)?;
    let credentials = client_credentials(headers, &params)?;
    Ok((params, credentials))
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

pub async fn token(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let result = match parse(&headers, &body) {
        Ok((params, credentials)) => state.provider.token(&params, &credentials).await,
        Err(error) => Err(error),
    };
    no_store(match result {
        Ok(tokens) => Json(tokens).into_response(),
        Err(error) => oauth_json(&error),
    })
}

pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = match parse(&headers, &body) {
        Ok((params, credentials)) => state.provider.introspect(&params, &credentials).await,
        Err(error) => Err(error),
    };
    no_store(match result {
        Ok(body) => Json(body).into_response(),
        Err(error) => oauth_json(&error),
    })
}

pub async fn revoke(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let result = match parse(&headers, &body) {
        Ok((params, credentials)) => state.provider.revoke(&params, &credentials).await,
        Err(error) => Err(error),
    };
    no_store(match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => oauth_json(&error),
    })
}
