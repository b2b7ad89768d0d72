//! Cookies: reading them from requests and writing `Set-Cookie` values.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

pub const SESSION: &str = "yagona_session";
pub const CSRF: &str = "yagona_csrf";
pub const LANG: &str = "yagona_lang";
pub const DEMO: &str = "yagona_demo";
/// State and PKCE verifier of the "My account" sign-in (the built-in `yagona-account` client).
pub const ACCOUNT: &str = "yagona_account";

/// The value of cookie `name`; under https the `__Host-` prefixed name is used (RFC 6265bis
/// §4.1.3.2: Secure, Path=/, no Domain, so a sibling host cannot plant it).
pub fn read(headers: &HeaderMap, name: &str, secure: bool) -> Option<String> {
    let wanted = full_name(name, secure);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == wanted)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure under https. `max_age` None
/// makes a browser-session cookie; `Some(0)` deletes.
pub fn set(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax",
        full_name(name, secure)
    );
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    cookie
}

pub fn delete(name: &str, secure: bool) -> String {
    set(name, "", secure, Some(0))
}

fn full_name(name: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_the_right_cookie() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; yagona_session=xyz; b=2"),
        );
        assert_eq!(read(&headers, SESSION, false).as_deref(), Some("xyz"));
        assert_eq!(read(&headers, SESSION, true), None);
    }

    #[test]
    fn secure_cookies_are_host_prefixed() {
        let c = set(SESSION, "v", true, None);
        assert!(c.starts_with("__Host-yagona_session=v; Path=/; HttpOnly; SameSite=Lax; Secure"));
        assert!(delete(CSRF, false).contains("Max-Age=0"));
    }
}
