//! Refresh tokens (RFC 6749 §6, RFC 9700 §4.14): lifetime, scope, client binding, refused
//! requests, and several provider nodes on one database, where what one node remembers (the
//! grants behind the refresh tokens it issued) never overrides what another node wrote.

#![allow(clippy::unwrap_used)] // A test fails loudly on anything unexpected.

use serde_json::Value;
use yagona::clock::Clock as _;
use yagona::crypto::token_hash;
use yagona::store::{RefreshRotation, RefreshToken};

use crate::both_backends;
use crate::helpers::{TestApp, jwt_part};
use crate::token_errors::{assert_token_error, portal_code, refresh};

both_backends!(refresh_cannot_outlive_the_grant, refresh_absolute_lifetime);

async fn refresh_absolute_lifetime(app: TestApp) {
    app.citizen("aziza").await;
    let mut token = portal_refresh_token(&app, "openid offline_access").await;
    // Each refresh token lives 14 days, the grant 30: refreshing every 10 days works until the
    // grant ends.
    for _ in 0..2 {
        app.clock.advance(10 * 86_400);
        let response = refresh(&app, "portal", &token, None).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        token = body["refresh_token"].as_str().unwrap().to_owned();
    }
    app.clock.advance(9 * 86_400);
    let response = refresh(&app, "portal", &token, None).await;
    assert_eq!(response.status(), 200, "day 29 is inside the grant");
    let body: Value = response.json().await.unwrap();
    token = body["refresh_token"].as_str().unwrap().to_owned();

    app.clock.advance(2 * 86_400);
    let expired = refresh(&app, "portal", &token, None).await;
    assert_token_error(expired, 400, "invalid_grant").await;
}

both_backends!(refresh_may_narrow_but_not_widen_scope, refresh_scope);

async fn refresh_scope(app: TestApp) {
    app.citizen("aziza").await;
    let code = portal_code(&app, "openid profile email offline_access").await;
    let first = app.tokens("portal", &code, None).await;
    let token = first["refresh_token"].as_str().unwrap();

    let narrowed = refresh(&app, "portal", token, Some("openid profile")).await;
    assert_eq!(narrowed.status(), 200);
    let narrowed: Value = narrowed.json().await.unwrap();
    assert_eq!(narrowed["scope"], "openid profile");
    let claims = jwt_part(narrowed["access_token"].as_str().unwrap(), 1);
    assert_eq!(claims["scope"], "openid profile");
    let userinfo: Value = app
        .userinfo(narrowed["access_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert!(userinfo.get("email").is_none(), "{userinfo}");

    let next = narrowed["refresh_token"].as_str().unwrap();
    let widened = refresh(&app, "portal", next, Some("openid profile phone")).await;
    assert_token_error(widened, 400, "invalid_scope").await;
}

both_backends!(
    refused_refresh_keeps_the_refresh_token_usable,
    refused_refresh_keeps_token
);

/// An error response must not change state: after a refresh refused for its scope, the client's
/// refresh token still works (otherwise a bad `scope` parameter silently ends the grant).
async fn refused_refresh_keeps_token(app: TestApp) {
    app.citizen("aziza").await;
    let token = &portal_refresh_token(&app, "openid profile offline_access").await;
    let widened = refresh(&app, "portal", token, Some("openid email")).await;
    assert_token_error(widened, 400, "invalid_scope").await;
    let retried = refresh(&app, "portal", token, None).await;
    assert_eq!(
        retried.status(),
        200,
        "the refresh token was consumed by a refused request: {}",
        retried.text().await.unwrap()
    );
}

both_backends!(refresh_token_is_bound_to_its_client, refresh_other_client);

async fn refresh_other_client(app: TestApp) {
    app.citizen("aziza").await;
    let token = &portal_refresh_token(&app, "openid offline_access").await;
    let stolen = refresh(&app, "otherportal", token, None).await;
    assert_token_error(stolen, 400, "invalid_grant").await;
    // The attempt did not spend or revoke the owner's token.
    assert_eq!(refresh(&app, "portal", token, None).await.status(), 200);
    let garbage = refresh(&app, "portal", "no-such-refresh-token", None).await;
    assert_token_error(garbage, 400, "invalid_grant").await;
}

both_backends!(
    refresh_sees_what_another_node_wrote,
    refresh_after_another_node
);

/// A node remembers the grant behind the refresh tokens it issues; a rotation or a revocation
/// written by another node (here: straight into the shared database) still decides.
async fn refresh_after_another_node(app: TestApp) {
    app.citizen("aziza").await;
    let store = &app.state.provider.store;
    let now = app.clock.now();

    // Another node rotated the token: presenting it here is reuse, and revokes the grant.
    let (first, grant_id) = offline_tokens(&app).await;
    let elsewhere = RefreshToken {
        token_hash: token_hash("rotated on another node"),
        grant_id: String::new(),
        created_at: now,
        expires_at: now + 3600,
        used: false,
    };
    let rotation = store
        .rotate_refresh_token(&token_hash(&first), &elsewhere, now)
        .await
        .unwrap();
    assert_eq!(rotation, RefreshRotation::Rotated);
    assert_token_error(
        refresh(&app, "portal", &first, None).await,
        400,
        "invalid_grant",
    )
    .await;
    assert!(store.grant(&grant_id).await.unwrap().unwrap().revoked);

    // Another node revoked the grant: its refresh token is refused here.
    let (second, grant_id) = offline_tokens(&app).await;
    store
        .revoke_grant(&grant_id, now, now + 3600)
        .await
        .unwrap();
    assert_token_error(
        refresh(&app, "portal", &second, None).await,
        400,
        "invalid_grant",
    )
    .await;
}

/// A fresh refresh token for `portal`, granted `scope`.
async fn portal_refresh_token(app: &TestApp, scope: &str) -> String {
    let code = portal_code(app, scope).await;
    app.tokens("portal", &code, None).await["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A fresh refresh token for `portal` and the id of its grant (from the access token).
async fn offline_tokens(app: &TestApp) -> (String, String) {
    let code = portal_code(app, "openid offline_access").await;
    let tokens = app.tokens("portal", &code, None).await;
    let grant_id = jwt_part(tokens["access_token"].as_str().unwrap(), 1)["grant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (
        tokens["refresh_token"].as_str().unwrap().to_owned(),
        grant_id,
    )
}
