//! The token endpoint's refusals (RFC 6749 §5.2, RFC 7636 §4.6, RFC 9700 §2.1.1) and the
//! shape of what it issues (RFC 9068 access tokens). Refresh tokens: `refresh.rs`.

#![allow(clippy::unwrap_used)] // A test fails loudly on anything unexpected.

use serde_json::Value;
use yagona::clock::Clock as _;

use crate::both_backends;
use crate::helpers::{REDIRECT_URI, SECRET, TestApp, code_params, jwt_part, pkce_pair, sqlite_app};

/// A code for `portal` with `scope`, signing in (and consenting) as aziza when needed.
pub(crate) async fn portal_code(app: &TestApp, scope: &str) -> String {
    app.code(&code_params("portal", &[("scope", scope)]), "aziza")
        .await
}

/// Checks a JSON error response: status, `error` code and `Cache-Control: no-store`.
pub(crate) async fn assert_token_error(
    response: reqwest::Response,
    status: u16,
    error: &str,
) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["cache-control"],
        "no-store",
        "error responses are not cached either"
    );
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], error, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
    body
}

pub(crate) async fn refresh(
    app: &TestApp,
    client_id: &str,
    token: &str,
    scope: Option<&str>,
) -> reqwest::Response {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    form.extend(scope.map(|s| ("scope", s)));
    app.post_form("/token", Some((client_id, SECRET)), &form)
        .await
}

both_backends!(code_is_single_use_and_replay_revokes_tokens, code_replay);

async fn code_replay(app: TestApp) {
    app.citizen("aziza").await;
    let code = portal_code(&app, "openid offline_access").await;
    let response = app.redeem("portal", &code, None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["pragma"], "no-cache");
    let tokens: Value = response.json().await.unwrap();
    let access_token = tokens["access_token"].as_str().unwrap();
    assert_eq!(app.userinfo(access_token).await.status(), 200);

    let replay = app.redeem("portal", &code, None).await;
    assert_token_error(replay, 400, "invalid_grant").await;
    // RFC 6749 §4.1.2: what the code issued is revoked.
    assert_eq!(app.userinfo(access_token).await.status(), 401);
    let refresh_token = tokens["refresh_token"].as_str().expect("refresh token");
    let refreshed = refresh(&app, "portal", refresh_token, None).await;
    assert_token_error(refreshed, 400, "invalid_grant").await;
}

both_backends!(code_expires_after_sixty_seconds, code_expiry);

async fn code_expiry(app: TestApp) {
    app.citizen("aziza").await;
    let code = portal_code(&app, "openid").await;
    app.clock.advance(61);
    assert_token_error(
        app.redeem("portal", &code, None).await,
        400,
        "invalid_grant",
    )
    .await;
}

both_backends!(code_is_bound_to_client_and_redirect_uri, code_binding);

async fn code_binding(app: TestApp) {
    app.citizen("aziza").await;
    let code = portal_code(&app, "openid").await;
    let other_client = app.redeem("otherportal", &code, None).await;
    assert_token_error(other_client, 400, "invalid_grant").await;

    for redirect_uri in [Some("http://localhost:9/other"), None] {
        let code = portal_code(&app, "openid").await;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ];
        form.extend(redirect_uri.map(|r| ("redirect_uri", r)));
        let response = app
            .post_form("/token", Some(("portal", SECRET)), &form)
            .await;
        assert_token_error(response, 400, "invalid_grant").await;
    }
    // Unknown codes too.
    let unknown = app.redeem("portal", "no-such-code", None).await;
    assert_token_error(unknown, 400, "invalid_grant").await;
}

/// A code for `portal` bound to an S256 `challenge`.
async fn pkce_code(app: &TestApp, challenge: &str) -> String {
    let params = code_params(
        "portal",
        &[
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    app.code(&params, "aziza").await
}

both_backends!(pkce_is_enforced_at_the_token_endpoint, pkce_checks);

async fn pkce_checks(app: TestApp) {
    app.citizen("aziza").await;
    let (verifier, challenge) = pkce_pair();
    let (other_verifier, _) = pkce_pair();
    let code = pkce_code(&app, &challenge).await;
    let wrong = app.redeem("portal", &code, Some(&other_verifier)).await;
    assert_token_error(wrong, 400, "invalid_grant").await;

    let code = pkce_code(&app, &challenge).await;
    let missing = app.redeem("portal", &code, None).await;
    assert_token_error(missing, 400, "invalid_grant").await;

    // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a downgrade.
    let code = portal_code(&app, "openid").await;
    let downgrade = app.redeem("portal", &code, Some(&verifier)).await;
    assert_token_error(downgrade, 400, "invalid_grant").await;

    let code = pkce_code(&app, &challenge).await;
    app.tokens("portal", &code, Some(&verifier)).await;
}

#[tokio::test]
async fn client_authentication_failures_are_invalid_client() {
    let app = sqlite_app().await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", "x"),
        ("redirect_uri", REDIRECT_URI),
    ];
    let wrong_secret = app
        .post_form("/token", Some(("portal", "wrong-secret")), &form)
        .await;
    let unknown = app
        .post_form("/token", Some(("nobody", SECRET)), &form)
        .await;
    let mut both_methods = form.to_vec();
    both_methods.extend([("client_id", "portal"), ("client_secret", SECRET)]);
    let two_methods = app
        .post_form("/token", Some(("portal", SECRET)), &both_methods)
        .await;
    // `portal` is registered for client_secret_basic: client_secret_post is refused.
    let mut post_only = form.to_vec();
    post_only.extend([("client_id", "portal"), ("client_secret", SECRET)]);
    let wrong_method = app.post_form("/token", None, &post_only).await;
    let mut id_only = form.to_vec();
    id_only.push(("client_id", "portal"));
    let no_secret = app.post_form("/token", None, &id_only).await;
    let nothing = app.post_form("/token", None, &form).await;

    for response in [
        wrong_secret,
        unknown,
        two_methods,
        wrong_method,
        no_secret,
        nothing,
    ] {
        let challenge = response
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_token_error(response, 401, "invalid_client").await;
        assert!(challenge.is_some_and(|c| c.starts_with("Basic")));
    }
}

both_backends!(public_client_redeems_with_pkce_only, public_client);

async fn public_client(app: TestApp) {
    app.citizen("aziza").await;
    let (verifier, challenge) = pkce_pair();
    let params = code_params(
        "spa",
        &[
            ("scope", "openid profile"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ],
    );
    let code = app.code(&params, "aziza").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT_URI),
        ("client_id", "spa"),
        ("code_verifier", verifier.as_str()),
    ];
    let response = app.post_form("/token", None, &form).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["id_token"].is_string());
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert_eq!(
        jwt_part(tokens["id_token"].as_str().unwrap(), 1)["aud"],
        "spa"
    );
}

#[tokio::test]
async fn malformed_token_requests() {
    let app = sqlite_app().await;
    let basic = Some(("portal", SECRET));
    for grant_type in [
        "password",
        "implicit",
        "urn:ietf:params:oauth:grant-type:device_code",
    ] {
        let response = app
            .post_form(
                "/token",
                basic,
                &[("grant_type", grant_type), ("username", "a")],
            )
            .await;
        assert_token_error(response, 400, "unsupported_grant_type").await;
    }
    let missing = app.post_form("/token", basic, &[("code", "x")]).await;
    assert_token_error(missing, 400, "invalid_request").await;

    let repeated = app
        .post_form(
            "/token",
            basic,
            &[
                ("grant_type", "authorization_code"),
                ("grant_type", "refresh_token"),
            ],
        )
        .await;
    assert_token_error(repeated, 400, "invalid_request").await;

    let json_body = app
        .http
        .post(app.url("/token"))
        .basic_auth("portal", Some(SECRET))
        .json(&serde_json::json!({ "grant_type": "authorization_code", "code": "x" }))
        .send()
        .await
        .unwrap();
    assert_token_error(json_body, 400, "invalid_request").await;

    let get = app.http.get(app.url("/token")).send().await.unwrap();
    assert_eq!(get.status(), 405, "the token endpoint takes POST only");
}

both_backends!(client_credentials_grant, client_credentials);

async fn client_credentials(app: TestApp) {
    let response = app
        .post_form(
            "/token",
            Some(("service", SECRET)),
            &[("grant_type", "client_credentials"), ("scope", "tax.read")],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "tax.read");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert!(tokens.get("id_token").is_none(), "{tokens}");
    let claims = jwt_part(tokens["access_token"].as_str().unwrap(), 1);
    assert_eq!(claims["sub"], "service");
    assert_eq!(claims["client_id"], "service");

    for scope in ["openid", "tax.read openid", "tax.write"] {
        let refused = app
            .post_form(
                "/token",
                Some(("service", SECRET)),
                &[("grant_type", "client_credentials"), ("scope", scope)],
            )
            .await;
        assert_token_error(refused, 400, "invalid_scope").await;
    }
    let portal = app
        .post_form(
            "/token",
            Some(("portal", SECRET)),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_token_error(portal, 400, "unauthorized_client").await;
}

both_backends!(access_tokens_are_rfc9068_jwts, access_token_format);

async fn access_token_format(app: TestApp) {
    let sub = app.citizen("aziza").await;
    let code = portal_code(&app, "openid profile").await;
    let tokens = app.tokens("portal", &code, None).await;
    let access_token = tokens["access_token"].as_str().unwrap();
    let header = jwt_part(access_token, 0);
    assert_eq!(header["typ"], "at+jwt", "RFC 9068 §2.1");
    assert!(
        header["alg"].is_string() && header["alg"] != "none",
        "{header}"
    );
    assert!(header["kid"].is_string(), "{header}");

    let claims = jwt_part(access_token, 1);
    assert_eq!(claims["iss"], app.base.as_str());
    assert_eq!(claims["sub"], sub.as_str());
    assert!(!claims["aud"].is_null(), "{claims}");
    assert_eq!(claims["client_id"], "portal");
    assert_eq!(claims["scope"], "openid profile");
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    let iat = claims["iat"].as_i64().unwrap();
    let exp = claims["exp"].as_i64().unwrap();
    assert_eq!(iat, app.clock.now());
    assert_eq!(exp - iat, tokens["expires_in"].as_i64().unwrap());
}
