//! `add_client`: the file it writes loads, and the secret it returns authenticates.

use super::{MemoryReplayStore, NOW, authenticate, secret_sha256};
use crate::clients::{
    AuthMethod, ClientAuthenticator, ClientCredentials, ClientRegistry, GrantType, NewClient,
    add_client,
};
use crate::keys::SigningAlg;
use std::sync::Arc;

fn new_portal(client_id: &str) -> NewClient {
    NewClient {
        client_id: client_id.to_owned(),
        client_name: "Davlat xizmatlari \"portali\"".to_owned(),
        redirect_uris: vec!["https://my.gov.uz/callback".to_owned()],
        post_logout_redirect_uris: vec!["https://my.gov.uz/".to_owned()],
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        auth_method: AuthMethod::ClientSecretBasic,
        scope: "openid profile pinfl".to_owned(),
        first_party: true,
        id_token_alg: SigningAlg::ES256,
    }
}

#[tokio::test]
async fn writes_a_file_that_loads_and_a_secret_that_authenticates() {
    let dir = tempfile::tempdir().unwrap();
    let clients_dir = dir.path().join("clients");
    let (path, secret) = add_client(&clients_dir, &new_portal("my-gov")).unwrap();
    assert_eq!(path, clients_dir.join("my-gov.toml"));
    let secret = secret.unwrap();
    assert_eq!(secret.len(), 43, "256 bits, base64url");

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&secret), "only the digest is stored");
    assert!(text.contains(&secret_sha256(&secret)));

    let registry = Arc::new(ClientRegistry::load_dir(&clients_dir).unwrap());
    let client = registry.get("my-gov").unwrap();
    assert_eq!(client.client_name, "Davlat xizmatlari \"portali\"");
    assert_eq!(client.scopes, ["openid", "profile", "pinfl"]);
    assert_eq!(client.id_token_alg, SigningAlg::ES256);
    assert!(client.first_party && client.allows_grant(GrantType::RefreshToken));
    assert!(client.has_post_logout_redirect_uri("https://my.gov.uz/"));

    let auth = ClientAuthenticator::new(registry);
    let creds = ClientCredentials {
        basic: Some(("my-gov".to_owned(), secret)),
        ..ClientCredentials::default()
    };
    let id = authenticate(&auth, &creds, &MemoryReplayStore::default(), NOW).await;
    assert_eq!(id.unwrap(), "my-gov");
}

#[test]
fn public_clients_get_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = new_portal("uz.gov.app");
    app.auth_method = AuthMethod::None;
    app.redirect_uris = vec!["uz.gov.app:/callback".to_owned()];
    let (path, secret) = add_client(dir.path(), &app).unwrap();
    assert_eq!(secret, None);
    assert!(
        !std::fs::read_to_string(path)
            .unwrap()
            .contains("client_secret_sha256")
    );
    assert!(
        ClientRegistry::load_dir(dir.path())
            .unwrap()
            .get("uz.gov.app")
            .unwrap()
            .is_public()
    );
}

#[test]
fn never_overwrites_or_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    add_client(dir.path(), &new_portal("portal")).unwrap();
    let again = add_client(dir.path(), &new_portal("portal")).unwrap_err();
    assert_eq!(again.field.as_deref(), Some("client_id"));
    assert!(again.message.contains("already registered"), "{again}");

    // A file of that name holding another client is not overwritten either.
    let other = dir.path().join("taken.toml");
    let text = std::fs::read_to_string(dir.path().join("portal.toml")).unwrap();
    std::fs::write(&other, text.replace("\"portal\"", "\"other\"")).unwrap();
    let error = add_client(dir.path(), &new_portal("taken")).unwrap_err();
    assert!(error.message.contains("already exists"), "{error}");
    assert!(
        std::fs::read_to_string(&other)
            .unwrap()
            .contains("\"other\"")
    );
}

#[test]
fn refuses_unsafe_file_names_and_invalid_metadata() {
    let dir = tempfile::tempdir().unwrap();
    for bad_id in ["../evil", ".hidden", "-flag", "a/b", "", "with space"] {
        let error = add_client(dir.path(), &new_portal(bad_id)).unwrap_err();
        assert_eq!(
            error.field.as_deref(),
            Some("client_id"),
            "{bad_id}: {error}"
        );
    }
    let mut insecure = new_portal("insecure");
    insecure.redirect_uris = vec!["http://portal.uz/cb".to_owned()];
    let error = add_client(dir.path(), &insecure).unwrap_err();
    assert_eq!(error.field.as_deref(), Some("redirect_uris"));

    let mut jwt = new_portal("jwt");
    jwt.auth_method = AuthMethod::PrivateKeyJwt;
    let error = add_client(dir.path(), &jwt).unwrap_err();
    assert_eq!(error.field.as_deref(), Some("token_endpoint_auth_method"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}
