//! Discovery and JWKS: precomputed documents, served as they are.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::state::AppState;

fn json_document(body: String, max_age: &'static str) -> Response {
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
    json_document(
        state.provider.discovery_json.to_string(),
        "public, max-age=300",
    )
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    json_document(
        state.provider.keys.jwks_json().to_owned(),
        "public, max-age=300",
    )
}
