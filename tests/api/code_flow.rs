//! The authorization code flow with PKCE, driven by the `openidconnect` crate as the relying
//! party: discovery, ID token verification, UserInfo, refresh, introspection and revocation.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse,
};

use crate::both_backends;
use crate::helpers::{REDIRECT_URI, SECRET, TestApp, query};

both_backends!(full_code_flow_with_openidconnect, full_code_flow);

async fn full_code_flow(app: TestApp) {
    let sub = app.citizen("aziza").await;
    let issuer = IssuerUrl::new(app.base.clone()).unwrap();
    let metadata = CoreProviderMetadata::discover_async(issuer, &app.http)
        .await
        .expect("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("portal".into()),
        Some(ClientSecret::new(SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT_URI.into()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();

    let callback = app.authorize(auth_url.as_str(), "aziza").await;
    assert!(callback.as_str().starts_with(REDIRECT_URI), "{callback}");
    assert_eq!(
        query(&callback, "state").as_deref(),
        Some(csrf.secret().as_str())
    );
    assert_eq!(
        query(&callback, "iss").as_deref(),
        Some(app.base.as_str()),
        "RFC 9207 iss"
    );
    let code = query(&callback, "code").expect("code");

    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&app.http)
        .await
        .expect("token exchange");
    let id_token = tokens.id_token().expect("id token");
    let verifier = client.id_token_verifier();
    let claims = id_token.claims(&verifier, &nonce).expect("valid ID token");
    assert_eq!(claims.subject().as_str(), sub);
    assert!(claims.auth_time().is_some());
    assert_eq!(
        claims.auth_context_ref().map(|a| a.as_str()),
        Some("urn:yagona:acr:password")
    );
    let expected_hash = AccessTokenHash::from_token(
        tokens.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(claims.access_token_hash(), Some(&expected_hash));

    let userinfo: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), None)
        .unwrap()
        .request_async(&app.http)
        .await
        .expect("userinfo");
    assert_eq!(userinfo.subject().as_str(), sub);
    assert_eq!(
        userinfo.email().map(|e| e.as_str()),
        Some("aziza@example.uz")
    );
    assert_eq!(
        userinfo
            .given_name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str()),
        Some("Aziza")
    );

    // Refresh rotates the refresh token and keeps the subject.
    let refresh = tokens
        .refresh_token()
        .expect("offline_access gives a refresh token");
    let refreshed = client
        .exchange_refresh_token(refresh)
        .unwrap()
        .request_async(&app.http)
        .await
        .expect("refresh");
    let new_refresh = refreshed.refresh_token().expect("rotated");
    assert_ne!(new_refresh.secret(), refresh.secret());

    // The old refresh token is now spent: reusing it fails and revokes the grant.
    let reuse = client
        .exchange_refresh_token(refresh)
        .unwrap()
        .request_async(&app.http)
        .await;
    assert!(reuse.is_err(), "reused refresh token must fail");
    let after_reuse = client
        .exchange_refresh_token(new_refresh)
        .unwrap()
        .request_async(&app.http)
        .await;
    assert!(after_reuse.is_err(), "reuse revokes the whole grant");

    // The code cannot be redeemed twice.
    let replay = app
        .http
        .post(app.url("/token"))
        .basic_auth("portal", Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 400);
    let body: serde_json::Value = replay.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
}
