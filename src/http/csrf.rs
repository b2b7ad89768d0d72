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
///
/// Our pages send `Referrer-Policy: no-referrer`, under which browsers send `Origin: null` on
/// a same-origin POST (Fetch, "serializing a request origin"); such a request is accepted when
/// `Sec-Fetch-Site` says `same-origin` (or is absent: then the token alone decides). A
/// cross-site `null` origin (a sandboxed frame) is refused.
pub fn verify(headers: &HeaderMap, secure: bool, submitted: Option<&str>, issuer: &str) -> bool {
    let origin_ok = match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some("null") => headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_none_or(|site| site == "same-origin"),
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

/// The header a script sends the CSRF token in (JSON requests have no form field).
pub const HEADER: &str = "x-csrf-token";

/// [`verify`] for a script's request: the token comes in the [`HEADER`] header.
pub fn verify_header(headers: &HeaderMap, secure: bool, issuer: &str) -> bool {
    let submitted = headers.get(HEADER).and_then(|v| v.to_str().ok());
    verify(headers, secure, submitted, issuer)
}

fn issuer_origin(issuer: &str) -> Option<String> {
    url::Url::parse(issuer)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const ISSUER: &str = "http://localhost:8080";

    fn request(origin: Option<&'static str>, site: Option<&'static str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("yagona_csrf=tok"));
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
        }
        if let Some(site) = site {
            headers.insert("sec-fetch-site", HeaderValue::from_static(site));
        }
        headers
    }

    #[test]
    fn token_must_match_the_cookie() {
        assert!(verify(&request(None, None), false, Some("tok"), ISSUER));
        assert!(!verify(&request(None, None), false, Some("other"), ISSUER));
        assert!(!verify(&request(None, None), false, None, ISSUER));
    }

    #[test]
    fn origin_must_be_ours() {
        let ours = request(Some("http://localhost:8080"), Some("same-origin"));
        assert!(verify(&ours, false, Some("tok"), ISSUER));
        let theirs = request(Some("https://evil.example"), Some("cross-site"));
        assert!(!verify(&theirs, false, Some("tok"), ISSUER));
    }

    #[test]
    fn null_origin_of_a_no_referrer_page_is_accepted_only_same_origin() {
        let same = request(Some("null"), Some("same-origin"));
        assert!(verify(&same, false, Some("tok"), ISSUER));
        let sandboxed = request(Some("null"), Some("cross-site"));
        assert!(!verify(&sandboxed, false, Some("tok"), ISSUER));
        let old_browser = request(Some("null"), None);
        assert!(verify(&old_browser, false, Some("tok"), ISSUER));
    }

    #[test]
    fn script_requests_send_the_token_in_a_header() {
        let mut headers = request(Some("http://localhost:8080"), Some("same-origin"));
        assert!(!verify_header(&headers, false, ISSUER));
        headers.insert(HEADER, HeaderValue::from_static("tok"));
        assert!(verify_header(&headers, false, ISSUER));
    }
}
