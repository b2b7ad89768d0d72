//! Token introspection (RFC 7662) and revocation (RFC 7009): client authentication, a client
//! only sees and revokes its own tokens, and revocation takes effect everywhere.

#![allow(clippy::unwrap_used)] // A test fails loudly on anything unexpected.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{SECRET, TestApp, code_params, sqlite_app};

/// Tokens for aziza from `portal` with `scope`.
async fn portal_tokens(app: &TestApp, scope: &str) -> Value {
    let code = app
        .code(&code_params("portal", &[("scope", scope)]), "aziza")
        .await;
    app.tokens("portal", &code, None).await
}

async fn introspect_as(app: &TestApp, client_id: &str, form: &[(&str, &str)]) -> Value {
    let response = app
        .post_form("/introspect", Some((client_id, SECRET)), form)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

async fn introspect(app: &TestApp, token: &str) -> Value {
    introspect_as(app, "portal", &[("token", token)]).await
}

async fn revoke(app: &TestApp, token: &str) {
    let response = app
        .post_form("/revoke", Some(("portal", SECRET)), &[("token", token)])
        .await;
    assert_eq!(response.status(), 200, "RFC 7009 §2.2");
}

both_backends!(introspection_of_an_active_access_token, active_access_token);

async fn active_access_token(app: TestApp) {
    let sub = app.citizen("aziza").await;
    let tokens = portal_tokens(&app, "openid profile").await;
    let token = tokens["access_token"].as_str().unwrap();
    let body = introspect(&app, token).await;
    assert_eq!(body["active"], true, "{body}");
    assert_eq!(body["sub"], sub.as_str());
    assert_eq!(body["scope"], "openid profile");
    assert_eq!(body["client_id"], "portal");
    assert_eq!(body["iss"], app.base.as_str());
    let claims = crate::helpers::jwt_part(token, 1);
    assert_eq!(body["exp"], claims["exp"]);
    assert_eq!(body["jti"], claims["jti"]);

    // Another client learns nothing about it.
    let other = introspect_as(&app, "otherportal", &[("token", token)]).await;
    assert_eq!(other, serde_json::json!({ "active": false }));

    // After expiry it is inactive.
    app.clock
        .advance(app.state.provider.lifetimes.access_token + 1);
    assert_eq!(introspect(&app, token).await["active"], false);
}

#[tokio::test]
async fn introspection_of_unknown_tokens_and_without_client_auth() {
    let app = sqlite_app().await;
    let unknown = introspect(&app, "no-such-token").await;
    assert_eq!(unknown, serde_json::json!({ "active": false }));
    let hinted = introspect_as(
        &app,
        "portal",
        &[
            ("token", "no-such-token"),
            ("token_type_hint", "refresh_token"),
        ],
    )
    .await;
    assert_eq!(hinted["active"], false);

    for path in ["/introspect", "/revoke"] {
        let anonymous = app.post_form(path, None, &[("token", "x")]).await;
        assert_eq!(anonymous.status(), 401, "{path}");
        assert!(anonymous.headers().contains_key("www-authenticate"));
        let body: Value = anonymous.json().await.unwrap();
        assert_eq!(body["error"], "invalid_client", "{path}");

        let wrong = app
            .post_form(path, Some(("portal", "wrong")), &[("token", "x")])
            .await;
        assert_eq!(wrong.status(), 401, "{path}");
    }
    let missing_token = app
        .post_form("/introspect", Some(("portal", SECRET)), &[])
        .await;
    assert_eq!(missing_token.status(), 400);
}

both_backends!(introspection_of_refresh_tokens, refresh_token_introspection);

async fn refresh_token_introspection(app: TestApp) {
    let sub = app.citizen("aziza").await;
    let tokens = portal_tokens(&app, "openid offline_access").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    for hint in [None, Some("refresh_token")] {
        let mut form = vec![("token", refresh)];
        form.extend(hint.map(|h| ("token_type_hint", h)));
        let body = introspect_as(&app, "portal", &form).await;
        assert_eq!(body["active"], true, "hint {hint:?}: {body}");
        assert_eq!(body["sub"], sub.as_str());
        assert_eq!(body["client_id"], "portal");
        assert!(body["exp"].is_i64());
    }
    let other = introspect_as(&app, "otherportal", &[("token", refresh)]).await;
    assert_eq!(other["active"], false);

    // A rotated refresh token is spent.
    let rotated = app
        .post_form(
            "/token",
            Some(("portal", SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
    assert_eq!(rotated.status(), 200);
    assert_eq!(introspect(&app, refresh).await["active"], false);
}

both_backends!(revoked_access_token_is_dead_everywhere, revoke_access_token);

async fn revoke_access_token(app: TestApp) {
    app.citizen("aziza").await;
    let tokens = portal_tokens(&app, "openid offline_access").await;
    let access = tokens["access_token"].as_str().unwrap();
    // Another client's revocation is answered 200 but does nothing.
    let foreign = app
        .post_form(
            "/revoke",
            Some(("otherportal", SECRET)),
            &[("token", access)],
        )
        .await;
    assert_eq!(foreign.status(), 200);
    assert_eq!(introspect(&app, access).await["active"], true);
    assert_eq!(app.userinfo(access).await.status(), 200);

    revoke(&app, access).await;
    assert_eq!(introspect(&app, access).await["active"], false);
    assert_eq!(app.userinfo(access).await.status(), 401);
    // Revoking an access token leaves the refresh token alone.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(introspect(&app, refresh).await["active"], true);
}

both_backends!(revoked_refresh_token_ends_the_grant, revoke_refresh_token);

async fn revoke_refresh_token(app: TestApp) {
    app.citizen("aziza").await;
    let tokens = portal_tokens(&app, "openid offline_access").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    revoke(&app, refresh).await;
    assert_eq!(introspect(&app, refresh).await["active"], false);
    let refused = app
        .post_form(
            "/token",
            Some(("portal", SECRET)),
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    // RFC 7009 §2.1: the access tokens of the same grant go too.
    assert_eq!(app.userinfo(access).await.status(), 401);
}

#[tokio::test]
async fn revoking_an_unknown_token_succeeds() {
    let app = sqlite_app().await;
    for hint in [None, Some("access_token"), Some("refresh_token")] {
        let mut form = vec![("token", "no-such-token")];
        form.extend(hint.map(|h| ("token_type_hint", h)));
        let response = app
            .post_form("/revoke", Some(("portal", SECRET)), &form)
            .await;
        assert_eq!(response.status(), 200, "hint {hint:?}");
    }
}
