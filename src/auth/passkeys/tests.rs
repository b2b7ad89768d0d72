//! Ceremonies run in-process against a software authenticator on a throw-away SQLite store.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use url::Url;
use webauthn_authenticator_rs::WebauthnAuthenticator as _;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

use super::*;
use crate::store::{Account, AccountStore as _, SharedStore, SqliteStore, Store as _};

const NOW: i64 = 1_750_000_000;
const ORIGIN: &str = "http://localhost:8080";

fn issuer() -> Url {
    Url::parse(ORIGIN).unwrap()
}

async fn store_with_account(id: &str) -> SharedStore {
    let store = SqliteStore::connect("sqlite::memory:", 1).await.unwrap();
    store.migrate().await.unwrap();
    store
        .create_account(&Account {
            id: id.to_owned(),
            username: Some(id.to_owned()),
            email: None,
            email_verified: false,
            phone: None,
            phone_verified: false,
            pinfl: None,
            given_name: None,
            family_name: None,
            middle_name: None,
            birthdate: None,
            password_hash: None,
            locale: None,
            disabled: false,
            created_at: NOW,
            updated_at: NOW,
        })
        .await
        .unwrap();
    Arc::new(store)
}

fn answer<'a, T>(ceremony_id: &'a str, binding: &'a [u8], credential: &'a T) -> Answer<'a, T> {
    Answer {
        ceremony_id,
        binding,
        credential,
    }
}

/// Registers a SoftPasskey for `account` and returns the authenticator.
async fn register(passkeys: &Passkeys, store: &SharedStore, account: &str) -> SoftPasskey {
    let mut authenticator = SoftPasskey::new(true);
    let started = passkeys
        .start_registration(store.as_ref(), account, account, b"bind", NOW)
        .await
        .unwrap();
    let response = authenticator
        .do_registration(issuer(), started.options)
        .unwrap();
    passkeys
        .finish_registration(
            store.as_ref(),
            answer(&started.ceremony, b"bind", &response),
            account,
            "Laptop",
            NOW,
        )
        .await
        .unwrap();
    authenticator
}

#[test]
fn ip_address_issuers_are_refused_with_a_clear_message() {
    let error = Passkeys::for_issuer(&Url::parse("http://127.0.0.1:8080").unwrap()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("IP address"), "{message}");
    assert!(message.contains("passkeys.enabled = false"), "{message}");
    assert!(Passkeys::for_issuer(&Url::parse("https://id.example.uz").unwrap()).is_ok());
    assert!(Passkeys::for_issuer(&issuer()).is_ok());
}

#[test]
fn user_handles_are_stable_and_distinct() {
    assert_eq!(user_handle("a"), user_handle("a"));
    assert_ne!(user_handle("a"), user_handle("b"));
}

#[test]
fn names_are_cleaned_and_bounded() {
    assert_eq!(clean_name("  Phone\u{7}  ", "Passkey"), "Phone");
    assert_eq!(clean_name(" \n ", "Passkey"), "Passkey");
    assert_eq!(
        clean_name(&"x".repeat(100), "P").chars().count(),
        MAX_NAME_CHARS
    );
}

#[test]
fn amr_says_device_bound_or_synced() {
    assert_eq!(passkey_amr(false, true), ["hwk", "user"]);
    assert_eq!(passkey_amr(true, true), ["swk", "user"]);
    assert_eq!(passkey_amr(false, false), ["hwk"]);
}

#[tokio::test]
async fn registration_then_second_factor_then_replay_is_refused() {
    let passkeys = Passkeys::for_issuer(&issuer()).unwrap();
    let store = store_with_account("acc").await;
    let mut authenticator = register(&passkeys, &store, "acc").await;
    let stored = store.passkeys_for_account("acc").await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].name, "Laptop");
    assert!(!stored[0].backup_eligible, "a software key is device-bound");

    let started = passkeys
        .start_second_factor(store.as_ref(), "acc", b"session", NOW)
        .await
        .unwrap();
    let response = authenticator
        .do_authentication(issuer(), started.options)
        .unwrap();
    let signed_in = passkeys
        .finish_authentication(
            store.as_ref(),
            answer(&started.ceremony, b"session", &response),
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(signed_in.account_id, "acc");
    assert_eq!(signed_in.kind, CeremonyKind::SecondFactor);
    assert_eq!(signed_in.amr, ["hwk", "user"]);
    let used = store
        .passkey(&stored[0].credential_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(used.last_used_at, Some(NOW));
    assert!(used.sign_count > stored[0].sign_count, "counter recorded");

    // The same response again: the ceremony is gone.
    let replay = passkeys
        .finish_authentication(
            store.as_ref(),
            answer(&started.ceremony, b"session", &response),
            NOW,
        )
        .await;
    assert!(matches!(replay, Err(PasskeyError::CeremonyNotFound)));
}

#[tokio::test]
async fn a_ceremony_needs_its_binding_and_its_time() {
    let passkeys = Passkeys::for_issuer(&issuer()).unwrap();
    let store = store_with_account("acc").await;
    let mut authenticator = register(&passkeys, &store, "acc").await;
    let started = passkeys
        .start_second_factor(store.as_ref(), "acc", b"mine", NOW)
        .await
        .unwrap();
    let response = authenticator
        .do_authentication(issuer(), started.options)
        .unwrap();
    let other_browser = passkeys
        .finish_authentication(
            store.as_ref(),
            answer(&started.ceremony, b"theirs", &response),
            NOW,
        )
        .await;
    assert!(matches!(other_browser, Err(PasskeyError::CeremonyNotFound)));
    let too_late = passkeys
        .finish_authentication(
            store.as_ref(),
            answer(&started.ceremony, b"mine", &response),
            NOW + CEREMONY_LIFETIME_SECONDS,
        )
        .await;
    assert!(matches!(too_late, Err(PasskeyError::CeremonyNotFound)));
}

#[tokio::test]
async fn a_response_from_another_origin_is_refused() {
    let passkeys = Passkeys::for_issuer(&issuer()).unwrap();
    let store = store_with_account("acc").await;
    let mut authenticator = SoftPasskey::new(true);
    let started = passkeys
        .start_registration(store.as_ref(), "acc", "acc", b"bind", NOW)
        .await
        .unwrap();
    let other_origin = Url::parse("http://localhost:9999").unwrap();
    let response = authenticator
        .do_registration(other_origin, started.options)
        .unwrap();
    let result = passkeys
        .finish_registration(
            store.as_ref(),
            answer(&started.ceremony, b"bind", &response),
            "acc",
            "x",
            NOW,
        )
        .await;
    assert!(
        matches!(result, Err(PasskeyError::Rejected(_))),
        "{result:?}"
    );
    assert!(store.passkeys_for_account("acc").await.unwrap().is_empty());
}

#[tokio::test]
async fn second_factor_without_passkeys_is_refused() {
    let passkeys = Passkeys::for_issuer(&issuer()).unwrap();
    let store = store_with_account("acc").await;
    let result = passkeys
        .start_second_factor(store.as_ref(), "acc", b"s", NOW)
        .await;
    assert!(matches!(result, Err(PasskeyError::NoPasskeys)));
}
