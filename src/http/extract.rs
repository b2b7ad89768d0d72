//! Request parsing shared by handlers: form bodies, query strings, client credentials and the
//! client's address. Malformed input becomes our own error shape, never a framework default.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Uri, header};

use super::state::AppState;
use crate::clients::ClientCredentials;
use crate::oidc::OAuthError;
use crate::oidc::authorize::RawParams;

/// Parses an `application/x-www-form-urlencoded` body (RFC 6749 §3.2 requires that type).
pub fn form_params(headers: &HeaderMap, body: &[u8]) -> Result<RawParams, OAuthError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    Ok(RawParams::new(pairs(body)))
}

pub fn query_params(uri: &Uri) -> RawParams {
    RawParams::new(pairs(uri.query().unwrap_or_default().as_bytes()))
}

fn pairs(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Client credentials from the `Authorization: Basic` header and the form body.
pub fn client_credentials(
    headers: &HeaderMap,
    params: &RawParams,
) -> Result<ClientCredentials, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        Some(value) => {
            let value = value
                .to_str()
                .map_err(|_| OAuthError::invalid_client("malformed Authorization header"))?;
            Some(
                ClientCredentials::from_basic_header(value)
                    .map_err(|e| OAuthError::invalid_client(e.description()))?,
            )
        }
        None => None,
    };
    let get = |name| params.get(name).map(|v| v.map(str::to_owned));
    Ok(ClientCredentials {
        basic,
        client_id: get("client_id")?,
        client_secret: get("client_secret")?,
        client_assertion_type: get("client_assertion_type")?,
        client_assertion: get("client_assertion")?,
    })
}

/// The client's IP address: the socket peer, or the first `X-Forwarded-For` hop when the
/// provider is configured to trust its proxy.
pub fn client_address(
    state: &AppState,
    headers: &HeaderMap,
    connect: Option<&ConnectInfo<SocketAddr>>,
) -> Option<IpAddr> {
    if state.trust_forwarded_for {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    connect.map(|c| c.0.ip())
}
