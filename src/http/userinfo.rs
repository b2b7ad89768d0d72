//! `/userinfo` (OIDC Core §5.3), GET or POST, with the token in the `Authorization` header or
//! the form body (RFC 6750 §2.1, §2.2); never in the query string.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};

use super::error::{bearer_error, bearer_missing};
use super::extract::form_params;
use super::state::AppState;
use crate::oidc::OAuthError;

pub async fn userinfo(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = match bearer_token(&method, &headers, &body) {
        Ok(Some(token)) => token,
        Ok(None) => return bearer_missing(),
        Err(error) => return bearer_error(&error),
    };
    match state.provider.userinfo(&token).await {
        Ok(claims) => Json(claims).into_response(),
        Err(error) => bearer_error(&error),
    }
}

/// The bearer token from exactly one place (RFC 6750 §2: more than one method is an error).
fn bearer_token(
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<String>, OAuthError> {
    let from_header = match headers.get(header::AUTHORIZATION) {
        None => None,
        Some(value) => {
            let value = value
                .to_str()
                .map_err(|_| OAuthError::invalid_request("malformed Authorization header"))?;
            match value.split_once(' ') {
                Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                    Some(token.trim().to_owned())
                }
                _ => {
                    return Err(OAuthError::invalid_request(
                        "the Authorization scheme must be Bearer",
                    ));
                }
            }
        }
    };
    let from_body = if *method == Method::POST && !body.is_empty() {
        form_params(headers, body)
            .ok()
            .and_then(|p| p.get("access_token").ok().flatten().map(str::to_owned))
    } else {
        None
    };
    match (from_header, from_body) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request(
            "send the access token in one place only",
        )),
        (token, None) | (None, token) => Ok(token.filter(|t| !t.is_empty())),
    }
}
