//! Discovery and JWKS: precomputed documents, served as they are.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::state::AppState;

fn json_document(body: axum::body::Bytes, max_age: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(max_age));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

pub async fn configuration(State(state): State<AppState>) -> Response {
    json_document(state.discovery_body.clone(), "public, max-age=300")
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    json_document(state.jwks_body.clone(), "public, max-age=300")
}
