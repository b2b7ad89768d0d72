//! Several provider nodes on one database: what one node remembers (the grants behind the
//! refresh tokens it issued) never overrides what another node wrote.

#![allow(clippy::unwrap_used)] // A test fails loudly on anything unexpected.

use serde_json::Value;
use yagona::clock::Clock as _;
use yagona::crypto::token_hash;
use yagona::store::{RefreshRotation, RefreshToken};

use crate::both_backends;
use crate::helpers::{TestApp, jwt_part};
use crate::token_errors::{assert_token_error, portal_code, refresh};

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

/// A fresh refresh token for `portal` and the id of its grant (from the access token).
async fn offline_tokens(app: &TestApp) -> (String, String) {
    let code = portal_code(app, "openid offline_access").await;
    let tokens: Value = app
        .redeem("portal", &code, None)
        .await
        .json()
        .await
        .unwrap();
    let grant_id = jwt_part(tokens["access_token"].as_str().unwrap(), 1)["grant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (
        tokens["refresh_token"].as_str().unwrap().to_owned(),
        grant_id,
    )
}
