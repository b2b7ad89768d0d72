//! Shared fixtures for the client registry and client authentication tests.

// A failed unwrap is a failed test, with the reason in the panic message.
#![allow(clippy::unwrap_used)]

mod add;
mod files;
mod private_key_jwt;
mod secrets;

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use serde_json::json;

use super::{Client, ClientAuthError, ClientAuthenticator, ClientCredentials, ClientRegistry};
use crate::clock::UnixTime;
use crate::store::{ReplayStore, StoreResult};

pub(super) const NOW: UnixTime = 1_700_000_000;
pub(super) const ISSUER: &str = "https://id.example.uz";
pub(super) const TOKEN_ENDPOINT: &str = "https://id.example.uz/token";
pub(super) const AUDIENCES: &[&str] = &[ISSUER, TOKEN_ENDPOINT];
pub(super) const SECRET: &str = "s3cret-for-tests";
pub(super) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Remembers every `(client_id, jti)` forever.
#[derive(Default)]
pub(super) struct MemoryReplayStore(Mutex<HashSet<(String, String)>>);

#[async_trait]
impl ReplayStore for MemoryReplayStore {
    async fn remember_jti(
        &self,
        client_id: &str,
        jti: &str,
        _expires_at: UnixTime,
    ) -> StoreResult<bool> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .insert((client_id.to_owned(), jti.to_owned())))
    }
}

pub(super) fn client(toml: &str) -> Client {
    Client::from_toml(Path::new("clients/test.toml"), toml).unwrap()
}

pub(super) fn secret_sha256(secret: &str) -> String {
    hex::encode(crate::crypto::sha256(secret.as_bytes()))
}

/// A confidential portal using `method` with the secret [`SECRET`].
pub(super) fn secret_client(client_id: &str, method: &str) -> Client {
    client(&format!(
        r#"
        client_id = "{client_id}"
        redirect_uris = ["https://portal.example.uz/callback"]
        token_endpoint_auth_method = "{method}"
        client_secret_sha256 = "{}"
        "#,
        secret_sha256(SECRET)
    ))
}

pub(super) fn public_client(client_id: &str) -> Client {
    client(&format!(
        r#"
        client_id = "{client_id}"
        redirect_uris = ["uz.gov.app:/callback"]
        token_endpoint_auth_method = "none"
        "#
    ))
}

pub(super) fn authenticator(clients: Vec<Client>) -> ClientAuthenticator {
    ClientAuthenticator::new(Arc::new(ClientRegistry::from_clients(clients)))
}

pub(super) async fn authenticate(
    authenticator: &ClientAuthenticator,
    creds: &ClientCredentials,
    replay: &MemoryReplayStore,
    now: UnixTime,
) -> Result<String, ClientAuthError> {
    authenticator
        .authenticate(creds, AUDIENCES, replay, now)
        .await
        .map(|client| client.client_id.clone())
}

/// An ES256 key pair made with ring, with its public JWK.
pub(super) struct TestKey {
    pkcs8: Vec<u8>,
    pub(super) kid: String,
    pub(super) x: String,
    pub(super) y: String,
}

impl TestKey {
    pub(super) fn generate(kid: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        // Uncompressed point: 0x04 || x || y, 32 bytes each.
        let point = pair.public_key().as_ref();
        assert_eq!(point.len(), 65);
        Self {
            pkcs8: pkcs8.as_ref().to_vec(),
            kid: kid.to_owned(),
            x: crate::crypto::b64url(&point[1..33]),
            y: crate::crypto::b64url(&point[33..]),
        }
    }

    pub(super) fn jwk(&self) -> serde_json::Value {
        json!({ "kty": "EC", "crv": "P-256", "x": self.x, "y": self.y, "kid": self.kid,
                "use": "sig", "alg": "ES256" })
    }

    /// The same key as a `[[jwks.keys]]` entry of a client file.
    pub(super) fn toml_entry(&self) -> String {
        format!(
            "[[jwks.keys]]\nkty = \"EC\"\ncrv = \"P-256\"\nx = \"{}\"\ny = \"{}\"\nkid = \"{}\"\n",
            self.x, self.y, self.kid
        )
    }

    pub(super) fn sign(&self, claims: &serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_ec_der(&self.pkcs8)).unwrap()
    }
}

/// Claims a well-behaved client would send at `now`.
pub(super) fn assertion_claims(client_id: &str, jti: &str, now: UnixTime) -> serde_json::Value {
    json!({ "iss": client_id, "sub": client_id, "aud": TOKEN_ENDPOINT, "jti": jti,
            "iat": now, "exp": now + 120 })
}

pub(super) fn assertion_creds(assertion: String) -> ClientCredentials {
    ClientCredentials {
        client_assertion_type: Some(JWT_BEARER.to_owned()),
        client_assertion: Some(assertion),
        ..ClientCredentials::default()
    }
}
