//! Cases about passkeys, the "require a second factor" switch and WebAuthn ceremonies.

use super::*;

fn passkey(credential: &[u8], account_id: &str, created_at: UnixTime) -> StoredPasskey {
    StoredPasskey {
        credential_id: credential.to_vec(),
        account_id: account_id.to_owned(),
        name: "Phone".to_owned(),
        passkey: "{\"cred\":{}}".to_owned(),
        created_at,
        last_used_at: None,
        backup_eligible: true,
        backup_state: false,
        sign_count: 0,
    }
}

fn ceremony(id: &str, binding: &[u8], expires_at: UnixTime) -> WebauthnCeremony {
    WebauthnCeremony {
        id_hash: token_hash(id),
        kind: "login".to_owned(),
        state: "{\"ast\":{}}".to_owned(),
        account_id: None,
        binding_hash: binding.to_vec(),
        created_at: NOW,
        expires_at,
    }
}

pub(in crate::store::tests) async fn passkeys_are_stored_listed_used_and_renamed(
    store: SharedStore,
) {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    store
        .create_account(&account("other", "olim"))
        .await
        .unwrap();
    let second = passkey(b"cred-2", "acc", NOW + 10);
    store.insert_passkey(&second).await.unwrap();
    store
        .insert_passkey(&passkey(b"cred-1", "acc", NOW))
        .await
        .unwrap();
    // A credential id belongs to one account only.
    let duplicate = store
        .insert_passkey(&passkey(b"cred-1", "other", NOW))
        .await;
    assert_eq!(conflict_field(duplicate), "primary key");

    let listed = store.passkeys_for_account("acc").await.unwrap();
    let ids: Vec<&[u8]> = listed.iter().map(|p| p.credential_id.as_slice()).collect();
    assert_eq!(
        ids,
        [b"cred-1".as_slice(), b"cred-2".as_slice()],
        "oldest first"
    );
    assert_eq!(store.passkey(b"cred-2").await.unwrap(), Some(second));
    assert!(
        store
            .passkeys_for_account("other")
            .await
            .unwrap()
            .is_empty()
    );

    let used = PasskeyUse {
        passkey: "{\"cred\":{\"counter\":7}}".to_owned(),
        sign_count: 7,
        backup_eligible: true,
        backup_state: true,
        used_at: NOW + 60,
    };
    assert!(store.record_passkey_use(b"cred-1", &used).await.unwrap());
    assert!(!store.record_passkey_use(b"nope", &used).await.unwrap());
    let after = store.passkey(b"cred-1").await.unwrap().unwrap();
    assert_eq!(
        (after.sign_count, after.backup_state, after.last_used_at),
        (7, true, Some(NOW + 60))
    );
    assert_eq!(after.passkey, used.passkey);

    assert!(
        store
            .rename_passkey("acc", b"cred-1", "Laptop")
            .await
            .unwrap()
    );
    assert!(
        !store
            .rename_passkey("other", b"cred-1", "Stolen")
            .await
            .unwrap()
    );
    assert_eq!(
        store.passkey(b"cred-1").await.unwrap().unwrap().name,
        "Laptop"
    );
}

pub(in crate::store::tests) async fn removing_passkeys_keeps_a_way_to_sign_in(store: SharedStore) {
    let mut passwordless = account("acc", "aziz");
    passwordless.password_hash = None;
    store.create_account(&passwordless).await.unwrap();
    store
        .create_account(&account("other", "olim"))
        .await
        .unwrap();
    for credential in [b"cred-1", b"cred-2"] {
        store
            .insert_passkey(&passkey(credential, "acc", NOW))
            .await
            .unwrap();
    }
    store
        .set_require_second_factor("acc", true, NOW)
        .await
        .unwrap();
    assert!(store.require_second_factor("acc").await.unwrap());
    assert!(!store.require_second_factor("other").await.unwrap());
    assert!(!store.require_second_factor("nobody").await.unwrap());

    let remove = |id: &'static [u8], account_id: &'static str| {
        let store = store.clone();
        async move { store.remove_passkey(account_id, id, NOW).await.unwrap() }
    };
    assert_eq!(remove(b"cred-1", "other").await, PasskeyRemoval::NotFound);
    assert_eq!(remove(b"cred-1", "acc").await, PasskeyRemoval::Removed);
    assert_eq!(
        remove(b"cred-2", "acc").await,
        PasskeyRemoval::LastSignInMethod
    );
    assert_eq!(store.passkeys_for_account("acc").await.unwrap().len(), 1);
    assert!(store.require_second_factor("acc").await.unwrap());

    // With a password, the last passkey may go, and the unmeetable requirement goes with it.
    store
        .set_password_hash("acc", "$argon2id$x", NOW)
        .await
        .unwrap();
    assert_eq!(remove(b"cred-2", "acc").await, PasskeyRemoval::Removed);
    assert!(store.passkeys_for_account("acc").await.unwrap().is_empty());
    assert!(!store.require_second_factor("acc").await.unwrap());
    assert_eq!(remove(b"cred-2", "acc").await, PasskeyRemoval::NotFound);
}

pub(in crate::store::tests) async fn concurrent_removals_leave_one_passkey(store: SharedStore) {
    let mut passwordless = account("acc", "aziz");
    passwordless.password_hash = None;
    store.create_account(&passwordless).await.unwrap();
    let credentials: [&'static [u8]; 4] = [b"c1", b"c2", b"c3", b"c4"];
    for credential in credentials {
        store
            .insert_passkey(&passkey(credential, "acc", NOW))
            .await
            .unwrap();
    }
    let removals = credentials.map(|credential| {
        let store = store.clone();
        tokio::spawn(async move { store.remove_passkey("acc", credential, NOW).await })
    });
    let mut removed = 0;
    for removal in removals {
        if removal.await.unwrap().unwrap() == PasskeyRemoval::Removed {
            removed += 1;
        }
    }
    assert_eq!(removed, 3);
    assert_eq!(store.passkeys_for_account("acc").await.unwrap().len(), 1);
}

pub(in crate::store::tests) async fn ceremony_is_taken_once_with_its_binding(store: SharedStore) {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    let mut registration = ceremony("c-1", b"browser-a", NOW + 300);
    registration.kind = "register".to_owned();
    registration.account_id = Some("acc".to_owned());
    store.put_ceremony(&registration).await.unwrap();
    let id = token_hash("c-1");

    // Another browser cannot take it, and trying does not consume it.
    assert_eq!(
        store.take_ceremony(&id, b"browser-b", NOW).await.unwrap(),
        None
    );
    assert_eq!(
        store.take_ceremony(&id, b"browser-a", NOW).await.unwrap(),
        Some(registration)
    );
    assert_eq!(
        store.take_ceremony(&id, b"browser-a", NOW).await.unwrap(),
        None
    );

    // An expired ceremony cannot be taken.
    store
        .put_ceremony(&ceremony("c-2", b"browser-a", NOW + 300))
        .await
        .unwrap();
    let late = store
        .take_ceremony(&token_hash("c-2"), b"browser-a", NOW + 300)
        .await
        .unwrap();
    assert_eq!(late, None);
}

pub(in crate::store::tests) async fn concurrent_takes_get_a_ceremony_once(store: SharedStore) {
    store
        .put_ceremony(&ceremony("c-1", b"b", NOW + 300))
        .await
        .unwrap();
    let takes = [0; 4].map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.take_ceremony(&token_hash("c-1"), b"b", NOW).await })
    });
    let mut taken = 0;
    for take in takes {
        if take.await.unwrap().unwrap().is_some() {
            taken += 1;
        }
    }
    assert_eq!(taken, 1);
}

pub(in crate::store::tests) async fn purge_deletes_expired_ceremonies(store: SharedStore) {
    store
        .put_ceremony(&ceremony("dead", b"b", NOW + 10))
        .await
        .unwrap();
    store
        .put_ceremony(&ceremony("live", b"b", NOW + 5000))
        .await
        .unwrap();
    assert_eq!(store.purge_expired(NOW + 100).await.unwrap(), 1);
    let live = store
        .take_ceremony(&token_hash("live"), b"b", NOW + 100)
        .await
        .unwrap();
    assert!(live.is_some());
}
