//! What every response carries (security headers), page languages, the 404 page, hostile
//! request bodies, and the discovery and JWKS documents.

#![allow(clippy::unwrap_used)] // A test fails loudly on anything unexpected.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{SECRET, TestApp, code_params, sqlite_app};

/// The headers every response must carry.
fn assert_common_headers(response: &reqwest::Response) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing on {}", response.url()))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let csp = header("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
}

/// A sign-in page URL for a fresh `portal` request with `extra` parameters.
async fn login_url(app: &TestApp, extra: &[(&str, &str)]) -> String {
    let response = app
        .browser
        .get(app.authorize_url(&code_params("portal", extra)))
        .send()
        .await
        .unwrap();
    let next = app.location(response).await;
    assert!(next.starts_with(&app.url("/login?request=")), "{next}");
    next
}

fn html_lang(html: &str) -> &str {
    let start = html.find("<html lang=\"").expect("<html lang>") + 12;
    let end = start + html[start..].find('"').unwrap();
    &html[start..end]
}

both_backends!(pages_carry_security_headers, page_headers);

async fn page_headers(app: TestApp) {
    let login = login_url(&app, &[]).await;
    let page = app.browser.get(&login).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_common_headers(&page);
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("form-action 'self'"), "{csp}");
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    // Scripts only from our own files: no inline script anywhere.
    let html = page.text().await.unwrap();
    for tag in html.split("<script").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        assert!(
            tag.contains("src=\"/static/"),
            "inline or foreign script: <script{tag}>"
        );
    }

    let not_found = app
        .browser
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_common_headers(&not_found);
    let error_page = app
        .browser
        .get(app.authorize_url(&code_params("nobody", &[])))
        .send()
        .await
        .unwrap();
    assert_common_headers(&error_page);
}

#[tokio::test]
async fn json_endpoints_carry_security_headers() {
    let app = sqlite_app().await;
    let token = app
        .post_form(
            "/token",
            Some(("portal", SECRET)),
            &[("grant_type", "password")],
        )
        .await;
    assert_eq!(token.headers()["cache-control"], "no-store");
    let userinfo = app.http.get(app.url("/userinfo")).send().await.unwrap();
    let discovery = app
        .http
        .get(app.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    let jwks = app.http.get(app.url("/jwks")).send().await.unwrap();
    for response in [&token, &userinfo, &discovery, &jwks] {
        assert_common_headers(response);
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
    }
}

both_backends!(
    ui_locales_and_accept_language_choose_the_language,
    negotiated_language
);

async fn negotiated_language(app: TestApp) {
    let default = app.http.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(html_lang(&default.text().await.unwrap()), "uz");
    let english = app
        .http
        .get(app.url("/nope"))
        .header("accept-language", "en-GB,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(html_lang(&english), "en");
    assert!(english.contains("does not exist"), "{english}");

    // The client's ui_locales wins over the browser's preference.
    let login = login_url(&app, &[("ui_locales", "ru en")]).await;
    let russian = app
        .browser
        .get(&login)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(html_lang(&russian), "ru");
    assert!(russian.contains("Вход"), "{russian}");
}

both_backends!(language_link_switches_and_is_remembered, language_link);

async fn language_link(app: TestApp) {
    let login = login_url(&app, &[]).await;
    let html = app.page(&login).await;
    assert!(html.contains("hreflang=\"uz-Cyrl\""), "language switcher");
    let switched = app
        .browser
        .get(format!("{login}&lang=uz-Cyrl"))
        .send()
        .await
        .unwrap();
    let remembered = switched
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("yagona_lang=uz-Cyrl"));
    assert!(remembered, "the choice is saved in a cookie");
    assert_eq!(html_lang(&switched.text().await.unwrap()), "uz-Cyrl");

    // Later pages use the saved choice, even over Accept-Language.
    let later = app
        .browser
        .get(app.url("/nope"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(html_lang(&later.text().await.unwrap()), "uz-Cyrl");
    let again = app.page(&login).await;
    assert_eq!(html_lang(&again), "uz-Cyrl");
}

#[tokio::test]
async fn unknown_path_is_a_404_page() {
    let app = sqlite_app().await;
    let response = app.http.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang="), "{html}");
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = sqlite_app().await;
    let mut body = b"grant_type=client_credentials&padding=".to_vec();
    body.resize(1024 * 1024, b'a');
    for path in ["/token", "/login", "/authorize", "/introspect"] {
        let response = app
            .http
            .post(app.url(path))
            .basic_auth("service", Some(SECRET))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{path}");
    }
}

/// POSTs raw bytes as a form to `path`.
async fn post_bytes(app: &TestApp, path: &str, body: &'static [u8]) -> reqwest::Response {
    app.browser
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

const GARBAGE: [&[u8]; 4] = [
    b"\xff\xfe\x00\x01\x02",
    b"grant_type=%ff%fe&code=\xc3\x28&redirect_uri=%",
    b"request=%ff&csrf=\xff&login=\xe2\x82&password=%C0%AF",
    b"&&&===&%%%&\x00=\x00",
];

both_backends!(garbage_forms_are_client_errors, garbage_forms);

async fn garbage_forms(app: TestApp) {
    for body in GARBAGE {
        for path in ["/token", "/login", "/authorize", "/consent"] {
            let response = post_bytes(&app, path, body).await;
            assert_eq!(response.status(), 400, "{path} {body:?}");
        }
        for path in [
            "/logout",
            "/logout/confirm",
            "/userinfo",
            "/introspect",
            "/revoke",
        ] {
            let status = post_bytes(&app, path, body).await.status();
            assert!(
                status.is_client_error() || status.is_success(),
                "{path}: {status}"
            );
        }
    }
    // Invalid UTF-8 in a well-formed token request: an unknown token, not a crash.
    let introspected = app
        .http
        .post(app.url("/introspect"))
        .basic_auth("portal", Some(SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(&b"token=%ff%fe\xff"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(introspected.status(), 200);
    let body: Value = introspected.json().await.unwrap();
    assert_eq!(body["active"], false);
}

#[tokio::test]
async fn garbage_headers_and_queries_are_client_errors() {
    let app = sqlite_app().await;
    let bad_header = reqwest::header::HeaderValue::from_bytes(b"Basic \xff\xfe").unwrap();
    let token = app
        .http
        .post(app.url("/token"))
        .header("authorization", bad_header.clone())
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 401);
    let basic_garbage = app
        .http
        .post(app.url("/token"))
        .header("authorization", "Basic !!!not-base64!!!")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(basic_garbage.status(), 401);
    let userinfo = app
        .http
        .get(app.url("/userinfo"))
        .header("authorization", bad_header)
        .send()
        .await
        .unwrap();
    assert_eq!(userinfo.status(), 400);
    let authorize = app
        .http
        .get(format!(
            "{}?client_id=%ff%fe&scope=%&&&=",
            app.url("/authorize")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(authorize.status(), 400);
}

#[tokio::test]
async fn discovery_lists_exactly_what_is_supported() {
    let app = sqlite_app().await;
    let response = app
        .http
        .get(app.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert_eq!(doc["issuer"], app.base.as_str());
    for (field, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks"),
        ("introspection_endpoint", "/introspect"),
        ("revocation_endpoint", "/revoke"),
        ("end_session_endpoint", "/logout"),
    ] {
        assert_eq!(doc[field], app.url(path), "{field}");
    }
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    let mut grants: Vec<&str> = doc["grant_types_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    grants.sort_unstable();
    assert_eq!(
        grants,
        ["authorization_code", "client_credentials", "refresh_token"]
    );
    let algs = doc["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(
        algs.contains(&Value::from("RS256")),
        "OIDC Discovery §3 requires RS256"
    );
    assert_eq!(doc["request_parameter_supported"], false);
}

#[tokio::test]
async fn jwks_has_rs256_and_es256_keys() {
    let app = sqlite_app().await;
    let jwks: Value = app
        .http
        .get(app.url("/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().expect("keys");
    for (alg, kty) in [("RS256", "RSA"), ("ES256", "EC")] {
        let key = keys
            .iter()
            .find(|k| k["alg"] == alg)
            .unwrap_or_else(|| panic!("no {alg} key in {jwks}"));
        assert_eq!(key["kty"], kty);
        assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()), "{key}");
        assert!(key.get("d").is_none(), "no private parts");
    }
    let mut kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
    kids.sort_unstable();
    kids.dedup();
    assert_eq!(kids.len(), keys.len(), "kids are unique");
}
