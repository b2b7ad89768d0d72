//! A small browser and relying party of our own: the authorization-code flow with PKCE and a
//! password sign-in (authorize → sign-in page → sign-in form → (consent) → code → token), and
//! refresh-token rotation. Each flow starts with an empty cookie jar, like a citizen's first
//! visit, but reuses the client's keep-alive connections.

use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use serde::Deserialize;
use url::Url;
use yagona::crypto::{b64url, random_token, sha256};

/// The portal's redirect URI (plain http is allowed on the loopback interface).
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// Sign-in pages a flow may pass through before it must reach the redirect URI.
const MAX_PAGES: usize = 4;

/// The relying party a flow runs for.
#[derive(Debug, Clone)]
pub struct Portal {
    /// The provider's base URL (its issuer), without a trailing slash.
    pub base: String,
    pub client_id: String,
    pub secret: String,
    /// The scope the portal asks for.
    pub scope: String,
    /// Send `prompt=consent`, so that every flow shows the consent page.
    pub prompt_consent: bool,
}

/// A citizen's sign-in.
#[derive(Debug, Clone)]
pub struct Citizen {
    pub login: String,
    pub password: String,
}

/// The parts of a token response the benchmark uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
}

/// Runs one whole sign-in flow and redeems the code.
pub async fn sign_in(
    http: &reqwest::Client,
    portal: &Portal,
    citizen: &Citizen,
) -> Result<Tokens, String> {
    let verifier = random_token();
    let state = random_token();
    let url = authorize_url(portal, &b64url(&sha256(verifier.as_bytes())), &state)?;
    let mut browser = Browser {
        http,
        base: &portal.base,
        jar: CookieJar::default(),
    };
    let mut next = browser.redirect(http.get(url)).await?;
    for _ in 0..MAX_PAGES {
        if next.starts_with(REDIRECT_URI) {
            let code = code_from_callback(&next, &state)?;
            return redeem(http, portal, &code, &verifier).await;
        }
        let page = next.strip_prefix(portal.base.as_str()).unwrap_or(&next);
        next = if page.starts_with("/login?") {
            let html = browser.page(&next).await?;
            let fields = [
                ("login", citizen.login.as_str()),
                ("password", citizen.password.as_str()),
            ];
            browser.submit("/login", &html, &fields).await?
        } else if page.starts_with("/consent?") {
            let html = browser.page(&next).await?;
            browser
                .submit("/consent", &html, &[("decision", "allow")])
                .await?
        } else {
            return Err(format!("unexpected redirect to {next}"));
        };
    }
    Err(format!(
        "still not back at the portal after {MAX_PAGES} pages"
    ))
}

/// Exchanges a refresh token for new tokens (RFC 6749 §6); rotation returns a new one.
pub async fn refresh(
    http: &reqwest::Client,
    portal: &Portal,
    refresh_token: &str,
) -> Result<Tokens, String> {
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    token_request(http, portal, &form).await
}

fn authorize_url(portal: &Portal, challenge: &str, state: &str) -> Result<Url, String> {
    let mut url = Url::parse(&format!("{}/authorize", portal.base)).map_err(|e| e.to_string())?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &portal.client_id)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("scope", &portal.scope)
        .append_pair("state", state)
        .append_pair("nonce", &random_token())
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256");
    if portal.prompt_consent {
        url.query_pairs_mut().append_pair("prompt", "consent");
    }
    Ok(url)
}

fn code_from_callback(callback: &str, state: &str) -> Result<String, String> {
    let url = Url::parse(callback).map_err(|e| format!("callback {callback}: {e}"))?;
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(state) {
        return Err(format!("callback without our state: {callback}"));
    }
    param("code").ok_or_else(|| format!("callback without a code: {callback}"))
}

async fn redeem(
    http: &reqwest::Client,
    portal: &Portal,
    code: &str,
    verifier: &str,
) -> Result<Tokens, String> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT_URI),
        ("code_verifier", verifier),
    ];
    let tokens = token_request(http, portal, &form).await?;
    if tokens.id_token.is_none() {
        return Err("the token response has no ID token".into());
    }
    Ok(tokens)
}

async fn token_request(
    http: &reqwest::Client,
    portal: &Portal,
    form: &[(&str, &str)],
) -> Result<Tokens, String> {
    let response = http
        .post(format!("{}/token", portal.base))
        .basic_auth(&portal.client_id, Some(&portal.secret))
        .form(form)
        .send()
        .await
        .map_err(|e| format!("token request: {e}"))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| format!("token response: {e}"))?;
    if status != 200 {
        return Err(format!("token endpoint answered {status}: {body}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("token response {body}: {e}"))
}

/// The browser of one flow.
struct Browser<'a> {
    http: &'a reqwest::Client,
    base: &'a str,
    jar: CookieJar,
}

impl Browser<'_> {
    async fn send(
        &mut self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, String> {
        let request = match self.jar.header() {
            Some(cookies) => request.header(COOKIE, cookies),
            None => request,
        };
        let response = request.send().await.map_err(|e| e.to_string())?;
        self.jar.store(response.headers());
        Ok(response)
    }

    /// Sends `request`, which must answer 303, and returns the absolute `Location`.
    async fn redirect(&mut self, request: reqwest::RequestBuilder) -> Result<String, String> {
        let response = self.send(request).await?;
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        match location {
            Some(location) if status == 303 => Ok(if location.starts_with('/') {
                format!("{}{location}", self.base)
            } else {
                location
            }),
            _ => {
                let body = response.text().await.unwrap_or_default();
                Err(format!(
                    "expected a redirect, got {status}: {}",
                    excerpt(&body)
                ))
            }
        }
    }

    /// Opens a page, which must answer 200, and returns its HTML.
    async fn page(&mut self, url: &str) -> Result<String, String> {
        let response = self.send(self.http.get(url)).await?;
        let status = response.status();
        let html = response.text().await.map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("GET {url} answered {status}: {}", excerpt(&html)));
        }
        Ok(html)
    }

    /// Posts the form of `html` (its hidden `request` and `csrf` fields plus `fields`) to
    /// `path` and returns where it redirects.
    async fn submit(
        &mut self,
        path: &str,
        html: &str,
        fields: &[(&str, &str)],
    ) -> Result<String, String> {
        let request = hidden_field(html, "request")
            .ok_or_else(|| format!("no request field on the page before {path}"))?;
        let csrf = hidden_field(html, "csrf")
            .ok_or_else(|| format!("no csrf field on the page before {path}"))?;
        let mut form = vec![("request", request.as_str()), ("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let post = self.http.post(format!("{}{path}", self.base)).form(&form);
        self.redirect(post).await
    }
}

fn excerpt(body: &str) -> String {
    body.chars().take(300).collect()
}

/// Cookies set by the provider during one flow (all host-only, `Path=/`).
#[derive(Debug, Default)]
struct CookieJar {
    cookies: Vec<(String, String)>,
}

impl CookieJar {
    /// Keeps each `Set-Cookie`; an empty value or `Max-Age=0` deletes the cookie.
    fn store(&mut self, headers: &HeaderMap) {
        for value in headers.get_all(SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let mut attributes = value.split(';').map(str::trim);
            let Some((name, cookie)) = attributes.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let expired = attributes.any(|a| a.eq_ignore_ascii_case("max-age=0"));
            self.cookies.retain(|(n, _)| n != name);
            if !expired && !cookie.is_empty() {
                self.cookies.push((name.to_owned(), cookie.to_owned()));
            }
        }
    }

    /// The `Cookie` header to send, if any cookie is set.
    fn header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// The `value` of `<input … name="NAME" … value="…">` in a page.
fn hidden_field(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let value_at = tag.find("value=\"")? + "value=\"".len();
    let value_end = value_at + tag[value_at..].find('"')?;
    Some(
        tag[value_at..value_end]
            .replace("&#61;", "=")
            .replace("&#x3d;", "=")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn the_jar_keeps_replaces_and_deletes_cookies() {
        let mut jar = CookieJar::default();
        assert_eq!(jar.header(), None);
        let mut headers = HeaderMap::new();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("yagona_csrf=abc; Path=/; HttpOnly; SameSite=Lax"),
        );
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("yagona_lang=en; Path=/"),
        );
        jar.store(&headers);
        assert_eq!(
            jar.header().as_deref(),
            Some("yagona_csrf=abc; yagona_lang=en")
        );

        let mut headers = HeaderMap::new();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("yagona_csrf=def; Path=/"),
        );
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("yagona_lang=; Path=/; HttpOnly; Max-Age=0"),
        );
        jar.store(&headers);
        assert_eq!(jar.header().as_deref(), Some("yagona_csrf=def"));
    }

    #[test]
    fn hidden_fields_are_read_from_the_form() {
        let html = r#"<form method="post"><input type="hidden" name="request" value="r-1&amp;2">
            <input name="csrf" type="hidden" value="tok&#61;"><input name="login" value=""></form>"#;
        assert_eq!(hidden_field(html, "request").as_deref(), Some("r-1&2"));
        assert_eq!(hidden_field(html, "csrf").as_deref(), Some("tok="));
        assert_eq!(hidden_field(html, "password"), None);
    }

    #[test]
    fn the_authorization_request_carries_pkce_and_optionally_prompt() {
        let mut portal = Portal {
            base: "http://127.0.0.1:8080".into(),
            client_id: "bench".into(),
            secret: "s".into(),
            scope: "openid profile".into(),
            prompt_consent: false,
        };
        let url = authorize_url(&portal, "CHALLENGE", "STATE").unwrap();
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let has = |k: &str, v: &str| query.iter().any(|(a, b)| a == k && b == v);
        assert!(has("code_challenge", "CHALLENGE") && has("code_challenge_method", "S256"));
        assert!(has("scope", "openid profile") && has("state", "STATE"));
        assert!(has("redirect_uri", REDIRECT_URI));
        assert!(!query.iter().any(|(k, _)| k == "prompt"));
        portal.prompt_consent = true;
        let url = authorize_url(&portal, "C", "S").unwrap();
        assert!(
            url.query_pairs()
                .any(|(k, v)| k == "prompt" && v == "consent")
        );
    }

    #[test]
    fn the_callback_must_carry_our_state_and_a_code() {
        let ok = format!("{REDIRECT_URI}?code=abc&state=s1&iss=http%3A%2F%2F127.0.0.1");
        assert_eq!(code_from_callback(&ok, "s1").as_deref(), Ok("abc"));
        assert!(code_from_callback(&ok, "other").is_err());
        let denied = format!("{REDIRECT_URI}?error=access_denied&state=s1");
        assert!(code_from_callback(&denied, "s1").is_err());
    }
}
