//! Rendering server pages: language choice, language links, CSP and cookies.

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::cookies;
use super::state::AppState;
use crate::i18n::{Locale, negotiate};
use crate::pages::{LangLink, Tr};

const STYLESHEET: &str = include_str!("../../static/yagona.css");
const PASSKEYS_SCRIPT: &str = include_str!("../../static/passkeys.js");

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// The passkey pages' script (no inline script anywhere: CSP `script-src 'self'`).
pub async fn passkeys_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        PASSKEYS_SCRIPT,
    )
        .into_response()
}

const ESIGN_SCRIPT: &str = include_str!("../../static/esign.js");

pub async fn esign_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        ESIGN_SCRIPT,
    )
        .into_response()
}

/// What every page needs: the translator in the chosen language and, when a page is
/// rendered, the language links (`lang_links`: built only then, because many requests that
/// make a context answer with a redirect).
pub struct PageContext {
    pub tr: Tr,
    uri: Uri,
    /// Set when the citizen just picked a language with a `lang` link.
    remember: Option<Locale>,
}

impl PageContext {
    /// The language is, in order: a `lang` link the citizen just clicked, the client's
    /// `ui_locales`, the citizen's saved choice (cookie), `Accept-Language`, Uzbek.
    pub fn new(state: &AppState, uri: &Uri, headers: &HeaderMap, ui_locales: Option<&str>) -> Self {
        let secure = state.provider.secure_cookies;
        let clicked = query_value(uri, "lang").and_then(|tag| Locale::parse(&tag));
        let saved = cookies::read(headers, cookies::LANG, secure);
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let locale = clicked.unwrap_or_else(|| negotiate(ui_locales, saved.as_deref(), accept));
        Self {
            tr: Tr {
                translator: state.translator.clone(),
                locale,
            },
            uri: uri.clone(),
            remember: clicked,
        }
    }

    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    pub fn locale(&self) -> Locale {
        self.tr.locale
    }

    /// The links to this page in each language.
    pub fn lang_links(&self) -> Vec<LangLink> {
        lang_links(&self.uri, self.tr.locale)
    }

    /// The cookie that remembers a language just picked.
    fn lang_cookie(&self, secure: bool) -> Option<String> {
        self.remember
            .map(|l| cookies::set(cookies::LANG, l.tag(), secure, Some(365 * 86_400)))
    }
}

/// A rendered page with its status, optional CSP override and cookies to set.
pub struct PageResponse {
    pub status: StatusCode,
    pub html: String,
    pub csp: Option<String>,
    pub cookies: Vec<String>,
}

impl PageResponse {
    pub fn render<T: askama::Template>(
        state: &AppState,
        ctx: &PageContext,
        status: StatusCode,
        page: &T,
    ) -> Self {
        let html = page.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "page rendering failed");
            String::from("<!doctype html><title>Yagona ID</title><p>Internal error</p>")
        });
        let mut cookies = Vec::new();
        if let Some(cookie) = ctx.lang_cookie(state.provider.secure_cookies) {
            cookies.push(cookie);
        }
        Self {
            status,
            html,
            csp: None,
            cookies,
        }
    }

    pub fn with_cookie(mut self, cookie: Option<String>) -> Self {
        self.cookies.extend(cookie);
        self
    }

    pub fn with_csp(mut self, csp: String) -> Self {
        self.csp = Some(csp);
        self
    }
}

impl IntoResponse for PageResponse {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::response::Html(self.html)).into_response();
        let headers = response.headers_mut();
        if let Some(csp) = self.csp.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        for cookie in self.cookies {
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.append(header::SET_COOKIE, value);
            }
        }
        response
    }
}

/// A 303 redirect that may also set cookies.
pub fn see_other(location: &str, cookies: Vec<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(value) => {
            headers.insert(header::LOCATION, value);
        }
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// One query parameter's value from a URI.
pub fn query_value(uri: &Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Links to this same page in each language (`lang=` replaced in the query).
fn lang_links(uri: &Uri, current: Locale) -> Vec<LangLink> {
    let kept: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    Locale::ALL
        .iter()
        .map(|&locale| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.extend_pairs(kept.iter());
            query.append_pair("lang", locale.tag());
            LangLink {
                tag: locale.tag(),
                label: locale.native_name(),
                href: format!("{}?{}", uri.path(), query.finish()),
                current: locale == current,
            }
        })
        .collect()
}
