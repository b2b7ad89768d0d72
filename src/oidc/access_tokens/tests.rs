#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};

use super::*;
use crate::keys::{SigningAlg, test_ring};
use crate::store::{GrantStore, SqliteStore, Store};

const ISSUER: &str = "https://id.example.uz";
/// 2026-01-01T00:00:00Z, the key ring's creation time.
const NOW: UnixTime = 1_767_225_600;

fn claims(jti: &str, grant_id: Option<&str>) -> Value {
    let mut claims = json!({
        "iss": ISSUER, "aud": ISSUER, "client_id": "portal", "sub": "acc-1",
        "iat": NOW, "exp": NOW + 300, "jti": jti, "scope": "openid profile",
    });
    if let Some(grant) = grant_id {
        claims["grant_id"] = json!(grant);
    }
    claims
}

fn sign(claims: &Value, typ: &str) -> String {
    test_ring().sign(SigningAlg::ES256, typ, claims).unwrap()
}

#[test]
fn a_token_we_signed_verifies_once_and_is_then_found_by_hash() {
    let tokens = AccessTokens::new(ISSUER, 16);
    let token = sign(&claims("j1", Some("g1")), "at+jwt");
    let found = tokens.verify(test_ring(), &token, NOW).unwrap();
    assert_eq!(found.jti, "j1");
    assert_eq!(found.account_id(), Some("acc-1"));
    assert_eq!(found.scope, "openid profile");
    assert_eq!(tokens.verified.len(), 1);
    let again = tokens.verify(test_ring(), &token, NOW + 10).unwrap();
    assert!(
        Arc::ptr_eq(&found, &again),
        "the second call is served from the cache"
    );
}

#[test]
fn client_tokens_speak_for_no_citizen() {
    let tokens = AccessTokens::new(ISSUER, 16);
    let token = sign(&claims("j1", None), "at+jwt");
    assert_eq!(
        tokens
            .verify(test_ring(), &token, NOW)
            .unwrap()
            .account_id(),
        None
    );
}

#[test]
fn expired_foreign_and_malformed_tokens_are_refused() {
    let tokens = AccessTokens::new(ISSUER, 16);
    let token = sign(&claims("j1", None), "at+jwt");
    assert!(
        tokens.verify(test_ring(), &token, NOW + 300).is_none(),
        "expired"
    );
    // An ID token (typ JWT, audience the client) is not an access token.
    assert!(
        tokens
            .verify(test_ring(), &sign(&claims("j2", None), "JWT"), NOW)
            .is_none()
    );
    let mut other = claims("j3", None);
    other["iss"] = json!("https://evil.example");
    assert!(
        tokens
            .verify(test_ring(), &sign(&other, "at+jwt"), NOW)
            .is_none()
    );
    let mut tampered = token.clone();
    tampered.insert(token.find('.').unwrap() + 3, 'x');
    for bad in ["", "a.b.c", "not a token", tampered.as_str()] {
        assert!(tokens.verify(test_ring(), bad, NOW).is_none(), "{bad}");
    }
    assert!(tokens.verify(test_ring(), &"a".repeat(5000), NOW).is_none());
}

#[test]
fn revoked_tokens_and_grants_are_refused_even_when_cached() {
    let tokens = AccessTokens::new(ISSUER, 16);
    let by_jti = sign(&claims("j1", Some("g1")), "at+jwt");
    let by_grant = sign(&claims("j2", Some("g2")), "at+jwt");
    assert!(tokens.verify(test_ring(), &by_jti, NOW).is_some());
    assert!(tokens.verify(test_ring(), &by_grant, NOW).is_some());
    tokens.remember(revoked::ACCESS_TOKEN, "j1", NOW + 300);
    tokens.remember(revoked::GRANT, "g2", NOW + 300);
    assert!(tokens.verify(test_ring(), &by_jti, NOW).is_none());
    assert!(tokens.verify(test_ring(), &by_grant, NOW).is_none());
}

#[tokio::test]
async fn sync_learns_other_nodes_revocations_and_forgets_spent_ones() {
    let store = SqliteStore::connect("sqlite::memory:", 1).await.unwrap();
    store.migrate().await.unwrap();
    let tokens = AccessTokens::new(ISSUER, 16);
    let token = sign(&claims("j1", None), "at+jwt");
    assert_eq!(tokens.sync(&store, NOW).await.unwrap(), 0);
    assert!(tokens.verify(test_ring(), &token, NOW).is_some());

    // Another node revokes the token: this one learns it at its next synchronisation.
    store
        .revoke_access_token("j1", NOW + 1, NOW + 300)
        .await
        .unwrap();
    assert!(tokens.verify(test_ring(), &token, NOW + 1).is_some());
    assert_eq!(tokens.sync(&store, NOW + 2).await.unwrap(), 1);
    assert!(tokens.verify(test_ring(), &token, NOW + 2).is_none());

    // Once the token could no longer be alive, the revocation is forgotten.
    tokens.sync(&store, NOW + 300).await.unwrap();
    assert!(tokens.revoked_tokens.is_empty());
}
