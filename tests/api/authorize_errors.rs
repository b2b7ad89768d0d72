//! Refused authorization requests (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6): an untrustworthy
//! client or redirect URI gets an error page and never a redirect; every later error goes back
//! to the client with `error`, `error_description`, `state` and `iss` (RFC 9207).

#![allow(clippy::unwrap_used)] // A test fails loudly on anything unexpected.

use crate::both_backends;
use crate::helpers::{
    PASSWORD, REDIRECT_URI, STATE, TestApp, code_params, pkce_pair, query, sqlite_app,
};

/// Asserts an HTML error page with status 400 and no redirect; returns the page.
async fn assert_error_page(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 400);
    assert!(
        response.headers().get("location").is_none(),
        "an error page must not redirect"
    );
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    response.text().await.unwrap()
}

/// GETs `/authorize` with `params` and returns the error redirect, after checking that it goes
/// to the client with `error_description`, the request's `state` and our `iss`.
async fn error_redirect(app: &TestApp, params: &[(&str, &str)]) -> url::Url {
    let response = app
        .browser
        .get(app.authorize_url(params))
        .send()
        .await
        .unwrap();
    assert_redirected_error(app, response).await
}

async fn assert_redirected_error(app: &TestApp, response: reqwest::Response) -> url::Url {
    let location = url::Url::parse(&app.location(response).await).unwrap();
    assert!(
        location.as_str().starts_with(REDIRECT_URI),
        "error must go to the client: {location}"
    );
    assert!(query(&location, "code").is_none());
    assert!(
        query(&location, "error_description").is_some_and(|d| !d.is_empty()),
        "{location}"
    );
    assert_eq!(query(&location, "state").as_deref(), Some(STATE));
    assert_eq!(query(&location, "iss").as_deref(), Some(app.base.as_str()));
    location
}

fn error(location: &url::Url) -> String {
    query(location, "error").expect("error parameter")
}

#[tokio::test]
async fn unknown_or_missing_client_id_shows_an_error_page() {
    let app = sqlite_app().await;
    for params in [
        code_params("nobody", &[]),
        code_params("portal", &[("client_id", "")]),
    ] {
        let response = app
            .browser
            .get(app.authorize_url(&params))
            .send()
            .await
            .unwrap();
        let html = assert_error_page(response).await;
        assert!(html.contains("client_id"), "{html}");
    }
}

#[tokio::test]
async fn missing_or_unregistered_redirect_uri_shows_an_error_page() {
    let app = sqlite_app().await;
    for redirect_uri in [
        "",
        "http://localhost:9/evil",
        "http://localhost:9/callback/",
    ] {
        let params = code_params("portal", &[("redirect_uri", redirect_uri)]);
        let response = app
            .browser
            .get(app.authorize_url(&params))
            .send()
            .await
            .unwrap();
        let html = assert_error_page(response).await;
        assert!(html.contains("redirect_uri"), "{html}");
        assert!(!html.contains("http://localhost:9/evil\""), "never a link");
    }
}

#[tokio::test]
async fn missing_response_type_is_invalid_request() {
    let app = sqlite_app().await;
    let mut params = code_params("portal", &[]);
    params.retain(|(name, _)| *name != "response_type");
    assert_eq!(
        error(&error_redirect(&app, &params).await),
        "invalid_request"
    );
}

#[tokio::test]
async fn implicit_and_hybrid_response_types_are_unsupported() {
    let app = sqlite_app().await;
    for response_type in ["token", "id_token", "code id_token"] {
        let params = code_params("portal", &[("response_type", response_type)]);
        assert_eq!(
            error(&error_redirect(&app, &params).await),
            "unsupported_response_type",
            "{response_type}"
        );
    }
}

#[tokio::test]
async fn scope_without_openid_or_not_allowed_is_invalid_scope() {
    let app = sqlite_app().await;
    for scope in ["profile email", "openid tax.read", ""] {
        let params = code_params("portal", &[("scope", scope)]);
        assert_eq!(
            error(&error_redirect(&app, &params).await),
            "invalid_scope",
            "scope {scope:?}"
        );
    }
    // `spa` may ask for openid and profile only.
    let (_, challenge) = pkce_pair();
    let params = code_params(
        "spa",
        &[
            ("scope", "openid email"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(error(&error_redirect(&app, &params).await), "invalid_scope");
}

#[tokio::test]
async fn pkce_plain_is_refused() {
    let app = sqlite_app().await;
    let (verifier, _) = pkce_pair();
    for method in [Some("plain"), None] {
        let mut extra = vec![("code_challenge", verifier.as_str())];
        extra.extend(method.map(|m| ("code_challenge_method", m)));
        let params = code_params("portal", &extra);
        assert_eq!(
            error(&error_redirect(&app, &params).await),
            "invalid_request",
            "method {method:?}"
        );
    }
}

#[tokio::test]
async fn public_client_without_pkce_is_refused() {
    let app = sqlite_app().await;
    let location = error_redirect(&app, &code_params("spa", &[])).await;
    assert_eq!(error(&location), "invalid_request");
    assert!(
        query(&location, "error_description")
            .unwrap()
            .contains("PKCE")
    );
}

#[tokio::test]
async fn request_objects_are_not_supported() {
    let app = sqlite_app().await;
    let cases = [
        (
            "request",
            "eyJhbGciOiJub25lIn0.e30.",
            "request_not_supported",
        ),
        (
            "request_uri",
            "https://rp.example.uz/request.jwt",
            "request_uri_not_supported",
        ),
    ];
    for (name, value, expected) in cases {
        let params = code_params("portal", &[(name, value)]);
        assert_eq!(error(&error_redirect(&app, &params).await), expected);
    }
}

#[tokio::test]
async fn repeated_parameter_is_invalid_request() {
    let app = sqlite_app().await;
    let mut params = code_params("portal", &[]);
    params.push(("scope", "openid profile"));
    assert_eq!(
        error(&error_redirect(&app, &params).await),
        "invalid_request"
    );
    // A repeated client_id cannot be trusted: error page, no redirect.
    let mut params = code_params("portal", &[]);
    params.push(("client_id", "portal"));
    let response = app
        .browser
        .get(app.authorize_url(&params))
        .send()
        .await
        .unwrap();
    assert_error_page(response).await;
}

#[tokio::test]
async fn malformed_id_token_hint_is_invalid_request() {
    let app = sqlite_app().await;
    for hint in ["not-a-jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."] {
        let params = code_params("portal", &[("id_token_hint", hint)]);
        assert_eq!(
            error(&error_redirect(&app, &params).await),
            "invalid_request"
        );
    }
}

#[tokio::test]
async fn malformed_prompt_and_max_age_are_invalid_request() {
    let app = sqlite_app().await;
    for extra in [
        ("prompt", "none login"),
        ("prompt", "sometimes"),
        ("max_age", "-1"),
        ("max_age", "soon"),
    ] {
        let params = code_params("portal", &[extra]);
        assert_eq!(
            error(&error_redirect(&app, &params).await),
            "invalid_request",
            "{extra:?}"
        );
    }
}

both_backends!(
    prompt_none_without_session_is_login_required,
    prompt_none_without_session
);

async fn prompt_none_without_session(app: TestApp) {
    app.citizen("aziza").await;
    let params = code_params("portal", &[("prompt", "none")]);
    assert_eq!(
        error(&error_redirect(&app, &params).await),
        "login_required"
    );
}

both_backends!(
    prompt_none_without_consent_is_consent_required,
    prompt_none_without_consent
);

async fn prompt_none_without_consent(app: TestApp) {
    app.citizen("aziza").await;
    // Sign in, but leave the consent page without answering.
    let first = app
        .browser
        .get(app.authorize_url(&code_params("portal", &[("scope", "openid profile")])))
        .send()
        .await
        .unwrap();
    let login = app.location(first).await;
    let consent = app
        .location(app.submit_login(&login, "aziza", PASSWORD).await)
        .await;
    assert!(consent.starts_with(&app.url("/consent")), "{consent}");

    let params = code_params("portal", &[("scope", "openid profile"), ("prompt", "none")]);
    assert_eq!(
        error(&error_redirect(&app, &params).await),
        "consent_required"
    );
}

both_backends!(post_authorize_works_like_get, post_authorize);

async fn post_authorize(app: TestApp) {
    app.citizen("aziza").await;
    // A refused request is refused the same way.
    let refused = app
        .browser
        .post(app.url("/authorize"))
        .form(&code_params("portal", &[("response_type", "token")]))
        .send()
        .await
        .unwrap();
    let location = assert_redirected_error(&app, refused).await;
    assert_eq!(error(&location), "unsupported_response_type");

    // A good one leads to the sign-in page and on to a code.
    let response = app
        .browser
        .post(app.url("/authorize"))
        .form(&code_params("portal", &[]))
        .send()
        .await
        .unwrap();
    let mut next = app.location(response).await;
    assert!(next.starts_with(&app.url("/login?request=")), "{next}");
    next = app
        .location(app.submit_login(&next, "aziza", PASSWORD).await)
        .await;
    next = app.location(app.submit_consent(&next, "allow").await).await;
    let callback = url::Url::parse(&next).unwrap();
    assert!(callback.as_str().starts_with(REDIRECT_URI));
    assert!(query(&callback, "code").is_some(), "{callback}");
    assert_eq!(query(&callback, "state").as_deref(), Some(STATE));

    // A POST whose body is not a form gets an error page, not a redirect.
    let not_a_form = app
        .browser
        .post(app.url("/authorize"))
        .header("content-type", "application/json")
        .body("{\"client_id\":\"portal\"}")
        .send()
        .await
        .unwrap();
    assert_error_page(not_a_form).await;
}
