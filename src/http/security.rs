//! Headers every response carries, and the body size limit.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// The default Content Security Policy: no script, no inline style, no framing. Pages whose
/// forms end in a redirect to a client set their own policy with that origin in
/// `form-action` (browsers apply `form-action` to redirects after a form submission).
pub const DEFAULT_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A policy whose `form-action` also allows `origins`.
pub fn csp_with_form_action(origins: &[String]) -> String {
    DEFAULT_CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {}", origins.join(" ")),
    )
}

/// `csp` with our own scripts allowed (`script-src 'self'`, no inline script) and their
/// requests to this origin (`connect-src 'self'`): the passkey pages.
pub fn with_own_scripts(csp: &str) -> String {
    format!("{csp}; script-src 'self'; connect-src 'self'")
}

pub fn layers(router: Router, max_body: usize) -> Router {
    let fixed = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        ))
        .layer(fixed(header::REFERRER_POLICY, "no-referrer"))
        .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(fixed(header::X_FRAME_OPTIONS, "DENY"))
        .layer(fixed(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}
