//! UserInfo (OIDC Core §5.3) with bearer tokens (RFC 6750): where the token may be sent, the
//! `WWW-Authenticate` challenges, and which claims each scope releases.

#![allow(clippy::unwrap_used)] // A test fails loudly on anything unexpected.

use serde_json::Value;
use yagona::auth::accounts::{NewAccount, create_account};
use yagona::clock::Clock as _;

use crate::both_backends;
use crate::helpers::{PASSWORD, SECRET, TestApp, code_params, sqlite_app};

const PINFL: &str = "31234567890123";

/// An access token for aziza from `portal` with `scope`.
async fn access_token(app: &TestApp, scope: &str) -> String {
    let code = app
        .code(&code_params("portal", &[("scope", scope)]), "aziza")
        .await;
    let tokens = app.tokens("portal", &code, None).await;
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// The `WWW-Authenticate` challenge of a 401, which must be a Bearer challenge.
fn bearer_challenge(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    challenge
}

fn assert_invalid_token(response: &reqwest::Response) {
    let challenge = bearer_challenge(response);
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
}

both_backends!(userinfo_accepts_the_token_in_one_place, token_placement);

async fn token_placement(app: TestApp) {
    let sub = app.citizen("aziza").await;
    let token = access_token(&app, "openid profile").await;

    let get = app.userinfo(&token).await;
    assert_eq!(get.status(), 200);
    assert_eq!(get.headers()["cache-control"], "no-store");
    let claims: Value = get.json().await.unwrap();
    assert_eq!(claims["sub"], sub.as_str());
    assert_eq!(claims["given_name"], "Aziza");

    let post_header = app
        .http
        .post(app.url("/userinfo"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(post_header.status(), 200);

    let post_form = app
        .http
        .post(app.url("/userinfo"))
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(post_form.status(), 200);
    let claims: Value = post_form.json().await.unwrap();
    assert_eq!(claims["sub"], sub.as_str());

    let both = app
        .http
        .post(app.url("/userinfo"))
        .bearer_auth(&token)
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(both.status(), 400);
    let body: Value = both.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");

    // RFC 6750 §2.3 is not supported: a token in the query string is no token at all.
    let in_query = app
        .http
        .get(format!("{}?access_token={token}", app.url("/userinfo")))
        .send()
        .await
        .unwrap();
    let challenge = bearer_challenge(&in_query);
    assert!(!challenge.contains("error="), "{challenge}");
}

#[tokio::test]
async fn missing_or_garbage_token_is_challenged() {
    let app = sqlite_app().await;
    let missing = app.http.get(app.url("/userinfo")).send().await.unwrap();
    // RFC 6750 §3.1: a request without any token gets a challenge without an error code.
    let challenge = bearer_challenge(&missing);
    assert!(!challenge.contains("error="), "{challenge}");

    for garbage in ["garbage", "eyJhbGciOiJub25lIn0.e30.", "a.b.c"] {
        assert_invalid_token(&app.userinfo(garbage).await);
    }
    let basic = app
        .http
        .get(app.url("/userinfo"))
        .basic_auth("portal", Some(SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 400, "only the Bearer scheme is accepted");
}

both_backends!(expired_and_revoked_tokens_are_invalid, expired_and_revoked);

async fn expired_and_revoked(app: TestApp) {
    app.citizen("aziza").await;
    let token = access_token(&app, "openid").await;
    assert_eq!(app.userinfo(&token).await.status(), 200);
    let lifetime = app.state.provider.lifetimes.access_token;
    app.clock.advance(lifetime + 1);
    assert_invalid_token(&app.userinfo(&token).await);

    let token = access_token(&app, "openid").await;
    let revoked = app
        .post_form("/revoke", Some(("portal", SECRET)), &[("token", &token)])
        .await;
    assert_eq!(revoked.status(), 200);
    assert_invalid_token(&app.userinfo(&token).await);
}

both_backends!(client_credentials_token_is_refused, client_token);

async fn client_token(app: TestApp) {
    let response = app
        .post_form(
            "/token",
            Some(("service", SECRET)),
            &[("grant_type", "client_credentials"), ("scope", "tax.read")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let token = body["access_token"].as_str().unwrap();
    assert_invalid_token(&app.userinfo(token).await);
}

both_backends!(pinfl_claim_needs_the_pinfl_scope, pinfl_scope);

async fn pinfl_scope(app: TestApp) {
    let provider = &app.state.provider;
    let account = create_account(
        provider.store.as_ref(),
        &provider.passwords,
        NewAccount {
            username: Some("aziza".into()),
            email: Some("aziza@example.uz".into()),
            pinfl: Some(PINFL.into()),
            given_name: Some("Aziza".into()),
            ..NewAccount::default()
        },
        PASSWORD.into(),
        app.clock.now(),
    )
    .await
    .expect("citizen created");

    let with_pinfl: Value = app
        .userinfo(&access_token(&app, "openid pinfl").await)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(with_pinfl["sub"], account.id.as_str());
    assert_eq!(with_pinfl["pinfl"], PINFL);
    assert!(with_pinfl.get("email").is_none(), "{with_pinfl}");

    let without: Value = app
        .userinfo(&access_token(&app, "openid profile email").await)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(without["email"], "aziza@example.uz");
    assert!(without.get("pinfl").is_none(), "{without}");
    assert!(
        !without.to_string().contains(PINFL),
        "the PINFL must not leak through another claim: {without}"
    );
}
