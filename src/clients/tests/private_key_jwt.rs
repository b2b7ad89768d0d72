//! `private_key_jwt` (RFC 7523 §3): signature, claims, replay, algorithms and `jwks_uri`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::{
    ISSUER, MemoryReplayStore, NOW, TestKey, assertion_claims, assertion_creds, authenticate,
    authenticator, client,
};
use crate::clients::{ClientAuthError, ClientAuthenticator};

const CLIENT_ID: &str = "soliq-service";

fn inline_client_toml(key: &TestKey) -> String {
    format!(
        "client_id = \"{CLIENT_ID}\"\ngrant_types = [\"client_credentials\"]\n\
         token_endpoint_auth_method = \"private_key_jwt\"\n{}",
        key.toml_entry()
    )
}

fn inline_authenticator(key: &TestKey) -> ClientAuthenticator {
    authenticator(vec![client(&inline_client_toml(key))])
}

async fn run_with(key: &TestKey, claims: &serde_json::Value) -> Result<String, ClientAuthError> {
    let auth = inline_authenticator(key);
    let creds = assertion_creds(key.sign(claims));
    authenticate(&auth, &creds, &MemoryReplayStore::default(), NOW).await
}

fn assert_invalid(result: Result<String, ClientAuthError>, reason: &str) {
    match result {
        Err(ClientAuthError::InvalidAssertion(text)) => assert!(text.contains(reason), "{text}"),
        other => panic!("expected InvalidAssertion({reason}), got {other:?}"),
    }
}

#[tokio::test]
async fn a_signed_assertion_from_a_key_in_the_file_authenticates() {
    let key = TestKey::generate("k1");
    let claims = assertion_claims(CLIENT_ID, "jti-1", NOW);
    assert_eq!(run_with(&key, &claims).await.unwrap(), CLIENT_ID);

    // `aud` may be the issuer, or an array naming the endpoint; a matching client_id
    // parameter is fine.
    let mut claims = assertion_claims(CLIENT_ID, "jti-2", NOW);
    claims["aud"] = json!(ISSUER);
    assert_eq!(run_with(&key, &claims).await.unwrap(), CLIENT_ID);
    claims["aud"] = json!(["https://other.example", super::TOKEN_ENDPOINT]);
    let auth = inline_authenticator(&key);
    let mut creds = assertion_creds(key.sign(&claims));
    creds.client_id = Some(CLIENT_ID.to_owned());
    let replay = MemoryReplayStore::default();
    assert_eq!(
        authenticate(&auth, &creds, &replay, NOW).await.unwrap(),
        CLIENT_ID
    );
}

#[tokio::test]
async fn wrong_audience_is_refused() {
    let key = TestKey::generate("k1");
    let mut claims = assertion_claims(CLIENT_ID, "jti", NOW);
    claims["aud"] = json!("https://evil.example/token");
    assert_invalid(run_with(&key, &claims).await, "aud");
    claims.as_object_mut().unwrap().remove("aud");
    assert_invalid(run_with(&key, &claims).await, "aud");
}

#[tokio::test]
async fn expiry_is_checked_against_the_given_time_with_leeway() {
    let key = TestKey::generate("k1");
    let mut claims = assertion_claims(CLIENT_ID, "jti", NOW);
    claims["exp"] = json!(NOW - 61);
    assert_invalid(run_with(&key, &claims).await, "expired");
    claims["exp"] = json!(NOW - 30);
    assert!(run_with(&key, &claims).await.is_ok());
    claims["exp"] = json!(NOW + 3600);
    assert_invalid(run_with(&key, &claims).await, "10 minutes");
    claims.as_object_mut().unwrap().remove("exp");
    assert_invalid(run_with(&key, &claims).await, "exp");
    let mut claims = assertion_claims(CLIENT_ID, "jti", NOW);
    claims["nbf"] = json!(NOW + 300);
    assert_invalid(run_with(&key, &claims).await, "nbf");
}

#[tokio::test]
async fn issuer_subject_and_jti_are_required() {
    let key = TestKey::generate("k1");
    let mut claims = assertion_claims(CLIENT_ID, "jti", NOW);
    claims["sub"] = json!("someone-else");
    assert_invalid(run_with(&key, &claims).await, "sub");
    let mut claims = assertion_claims(CLIENT_ID, "jti", NOW);
    claims.as_object_mut().unwrap().remove("jti");
    assert_invalid(run_with(&key, &claims).await, "jti");
}

#[tokio::test]
async fn a_replayed_jti_is_refused() {
    let key = TestKey::generate("k1");
    let auth = inline_authenticator(&key);
    let replay = MemoryReplayStore::default();
    let creds = assertion_creds(key.sign(&assertion_claims(CLIENT_ID, "once", NOW)));
    assert!(authenticate(&auth, &creds, &replay, NOW).await.is_ok());
    assert_invalid(
        authenticate(&auth, &creds, &replay, NOW + 1).await,
        "already used",
    );
}

#[tokio::test]
async fn hmac_and_unsigned_assertions_are_refused() {
    let key = TestKey::generate("k1");
    let auth = inline_authenticator(&key);
    let replay = MemoryReplayStore::default();
    let claims = assertion_claims(CLIENT_ID, "jti", NOW);
    let hs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(b"shared"),
    )
    .unwrap();
    let error = authenticate(&auth, &assertion_creds(hs256), &replay, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            ClientAuthError::AlgorithmNotAllowed(Algorithm::HS256)
        ),
        "{error}"
    );

    let header = crate::crypto::b64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = crate::crypto::b64url(claims.to_string().as_bytes());
    let unsigned = format!("{header}.{payload}.");
    let error = authenticate(&auth, &assertion_creds(unsigned), &replay, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientAuthError::MalformedAssertion(_)),
        "{error}"
    );
}

#[tokio::test]
async fn a_signature_by_another_key_is_refused() {
    let key = TestKey::generate("k1");
    let impostor = TestKey::generate("k1");
    let auth = inline_authenticator(&key);
    let creds = assertion_creds(impostor.sign(&assertion_claims(CLIENT_ID, "jti", NOW)));
    let error = authenticate(&auth, &creds, &MemoryReplayStore::default(), NOW)
        .await
        .unwrap_err();
    assert!(matches!(error, ClientAuthError::BadSignature(_)), "{error}");
    assert_eq!(error.description(), "client authentication failed");
}

#[tokio::test]
async fn assertion_type_and_client_id_are_checked() {
    let key = TestKey::generate("k1");
    let auth = inline_authenticator(&key);
    let replay = MemoryReplayStore::default();
    let mut creds = assertion_creds(key.sign(&assertion_claims(CLIENT_ID, "jti", NOW)));
    creds.client_assertion_type =
        Some("urn:ietf:params:oauth:client-assertion-type:saml2-bearer".to_owned());
    let error = authenticate(&auth, &creds, &replay, NOW).await.unwrap_err();
    assert!(matches!(error, ClientAuthError::AssertionType), "{error}");

    let mut creds = assertion_creds(key.sign(&assertion_claims(CLIENT_ID, "jti", NOW)));
    creds.client_id = Some("another-client".to_owned());
    let error = authenticate(&auth, &creds, &replay, NOW).await.unwrap_err();
    assert!(
        matches!(error, ClientAuthError::ClientIdMismatch),
        "{error}"
    );

    let creds = assertion_creds("not-a-jwt".to_owned());
    let error = authenticate(&auth, &creds, &replay, NOW).await.unwrap_err();
    assert!(
        matches!(error, ClientAuthError::MalformedAssertion(_)),
        "{error}"
    );
}

/// Serves a JWK Set over HTTP on a random loopback port, counting requests.
struct JwksServer {
    uri: String,
    keys: Arc<Mutex<serde_json::Value>>,
    hits: Arc<AtomicUsize>,
}

impl JwksServer {
    async fn start(keys: serde_json::Value) -> Self {
        let keys = Arc::new(Mutex::new(keys));
        let hits = Arc::new(AtomicUsize::new(0));
        let (served, counter) = (Arc::clone(&keys), Arc::clone(&hits));
        let app = axum::Router::new().route(
            "/jwks",
            axum::routing::get(move || async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let body = served.lock().unwrap().clone();
                axum::Json(body)
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            uri: format!("http://{addr}/jwks"),
            keys,
            hits,
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn jwks_uri_keys_are_fetched_cached_and_refetched_for_a_new_kid() {
    let old_key = TestKey::generate("2024");
    let server = JwksServer::start(json!({ "keys": [old_key.jwk()] })).await;
    let auth = authenticator(vec![client(&format!(
        "client_id = \"{CLIENT_ID}\"\ngrant_types = [\"client_credentials\"]\n\
         token_endpoint_auth_method = \"private_key_jwt\"\njwks_uri = \"{}\"",
        server.uri
    ))]);
    let replay = MemoryReplayStore::default();
    let sign = |key: &TestKey, jti: &str, now| {
        assertion_creds(key.sign(&assertion_claims(CLIENT_ID, jti, now)))
    };

    assert!(
        authenticate(&auth, &sign(&old_key, "1", NOW), &replay, NOW)
            .await
            .is_ok()
    );
    assert!(
        authenticate(&auth, &sign(&old_key, "2", NOW + 60), &replay, NOW + 60)
            .await
            .is_ok()
    );
    assert_eq!(
        server.hits(),
        1,
        "second use within five minutes comes from the cache"
    );

    // The client rotates its key: the unknown kid makes us fetch again, once.
    let new_key = TestKey::generate("2025");
    *server.keys.lock().unwrap() = json!({ "keys": [new_key.jwk()] });
    assert!(
        authenticate(&auth, &sign(&new_key, "3", NOW + 120), &replay, NOW + 120)
            .await
            .is_ok()
    );
    assert_eq!(server.hits(), 2);

    // A forged kid right after cannot force another fetch.
    let forged = TestKey::generate("forged");
    let error = authenticate(&auth, &sign(&forged, "4", NOW + 121), &replay, NOW + 121)
        .await
        .unwrap_err();
    assert!(matches!(error, ClientAuthError::BadSignature(_)), "{error}");
    assert_eq!(server.hits(), 2);

    // After five minutes the cached set is replaced.
    assert!(
        authenticate(&auth, &sign(&new_key, "5", NOW + 500), &replay, NOW + 500)
            .await
            .is_ok()
    );
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn an_unreachable_jwks_uri_fails_authentication() {
    let key = TestKey::generate("k1");
    let server = JwksServer::start(json!({ "keys": [] })).await;
    let missing = server.uri.replace("/jwks", "/missing");
    let auth = authenticator(vec![client(&format!(
        "client_id = \"{CLIENT_ID}\"\ngrant_types = [\"client_credentials\"]\n\
         token_endpoint_auth_method = \"private_key_jwt\"\njwks_uri = \"{missing}\""
    ))]);
    let creds = assertion_creds(key.sign(&assertion_claims(CLIENT_ID, "jti", NOW)));
    let error = authenticate(&auth, &creds, &MemoryReplayStore::default(), NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientAuthError::JwksUnavailable { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("404"), "{error}");
    assert_eq!(error.description(), "client authentication failed");
}
