//! CSRF protection for every form: a random token in an HttpOnly, SameSite=Lax cookie
//! (`__Host-` prefixed under https) that the form echoes back (double submit), compared in
//! constant time, plus an `Origin` check when the browser sends one.

use axum::http::{HeaderMap, header};

use super::cookies;
use crate::crypto::{constant_time_eq, random_token};

/// The token to put in a form, and the cookie to set when the browser had none.
pub struct CsrfToken {
    pub value: String,
    pub set_cookie: Option<String>,
}

pub fn ensure(headers: &HeaderMap, secure: bool) -> CsrfToken {
    match cookies::read(headers, cookies::CSRF, secure).filter(|v| v.len() == 43) {
        Some(value) => CsrfToken {
            value,
            set_cookie: None,
        },
        None => {
            let value = random_token();
            let set_cookie = Some(cookies::set(cookies::CSRF, &value, secure, None));
            CsrfToken { value, set_cookie }
        }
    }
}

/// Whether a form submission carries the browser's own token and comes from our origin.
pub fn verify(headers: &HeaderMap, secure: bool, submitted: Option<&str>, issuer: &str) -> bool {
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => issuer_origin(issuer).is_some_and(|o| o == origin),
    };
    let token_ok = match (cookies::read(headers, cookies::CSRF, secure), submitted) {
        (Some(cookie), Some(form)) if !cookie.is_empty() => {
            constant_time_eq(cookie.as_bytes(), form.as_bytes())
        }
        _ => false,
    };
    origin_ok && token_ok
}

fn issuer_origin(issuer: &str) -> Option<String> {
    url::Url::parse(issuer)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}
