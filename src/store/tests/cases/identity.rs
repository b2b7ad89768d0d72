//! Cases about citizens and their sign-in: accounts, sessions, pending requests, consents,
//! client assertion replay and throttling.

use super::*;

pub(in crate::store::tests) async fn account_create_lookup_and_update(store: SharedStore) {
    let mut full = account("acc-1", "aziz");
    full.phone = Some("+998901234567".to_owned());
    full.pinfl = Some("31234567890123".to_owned());
    store.create_account(&full).await.unwrap();

    assert_eq!(store.account("acc-1").await.unwrap(), Some(full.clone()));
    assert_eq!(store.account("nobody").await.unwrap(), None);
    for login in ["aziz", "aziz@example.uz", "+998901234567", "31234567890123"] {
        let found = store.account_by_login(login).await.unwrap();
        assert_eq!(
            found.map(|a| a.id),
            Some("acc-1".to_owned()),
            "login {login}"
        );
    }
    assert_eq!(store.account_by_login("AZIZ").await.unwrap(), None);
    assert_eq!(store.count_accounts().await.unwrap(), 1);

    // Accounts without any of the unique identifiers do not collide with each other.
    let mut bare = account("acc-2", "x");
    (bare.username, bare.email) = (None, None);
    store.create_account(&bare).await.unwrap();
    bare.id = "acc-3".to_owned();
    store.create_account(&bare).await.unwrap();
    assert_eq!(store.count_accounts().await.unwrap(), 3);

    store
        .set_password_hash("acc-1", "$argon2id$new", NOW + 5)
        .await
        .unwrap();
    let updated = store.account("acc-1").await.unwrap().unwrap();
    assert_eq!(updated.password_hash.as_deref(), Some("$argon2id$new"));
    assert_eq!(updated.updated_at, NOW + 5);
}

pub(in crate::store::tests) async fn account_conflicts_name_the_field(store: SharedStore) {
    let mut first = account("acc-1", "aziz");
    first.phone = Some("+998901234567".to_owned());
    first.pinfl = Some("31234567890123".to_owned());
    store.create_account(&first).await.unwrap();

    let fresh = || {
        let mut other = account("acc-2", "other");
        other.email = Some("other@example.uz".to_owned());
        other
    };
    let mut same_username = fresh();
    same_username.username = first.username.clone();
    let mut same_email = fresh();
    same_email.email = first.email.clone();
    let mut same_phone = fresh();
    same_phone.phone = first.phone.clone();
    let mut same_pinfl = fresh();
    same_pinfl.pinfl = first.pinfl.clone();
    let mut same_id = fresh();
    same_id.id = first.id.clone();

    for (duplicate, field) in [
        (same_username, "username"),
        (same_email, "email"),
        (same_phone, "phone"),
        (same_pinfl, "pinfl"),
        (same_id, "primary key"),
    ] {
        assert_eq!(
            conflict_field(store.create_account(&duplicate).await),
            field
        );
    }
    assert_eq!(store.count_accounts().await.unwrap(), 1);
    store.create_account(&fresh()).await.unwrap();
}

/// The account a login names and the throttle records of both keys come back together,
/// whichever of them exist.
pub(in crate::store::tests) async fn sign_in_reads_the_account_and_its_throttles(
    store: SharedStore,
) {
    let mut aziz = account("acc", "aziz");
    aziz.email = Some("aziz@example.uz".to_owned());
    store.create_account(&aziz).await.unwrap();
    let keys = ["login:aziz", "ip:192.0.2.1"];
    let reads = |login: &'static str, keys: [&'static str; 2]| {
        let store = store.clone();
        async move { store.sign_in_reads(login, keys).await.unwrap() }
    };
    let nothing = reads("nobody", keys).await;
    assert_eq!(nothing, SignInReads::default());
    assert_eq!(reads("aziz", keys).await.account, Some(aziz.clone()));
    let by_email = reads("aziz@example.uz", keys).await;
    assert_eq!(by_email.account, Some(aziz.clone()));
    assert!(by_email.throttles.is_empty());

    let no_lock = |_: i64| 0;
    for key in keys {
        store.record_failure(key, NOW, no_lock).await.unwrap();
    }
    store
        .record_failure("ip:192.0.2.1", NOW, no_lock)
        .await
        .unwrap();
    let both = reads("aziz", keys).await;
    assert_eq!(both.account, Some(aziz));
    let mut counts: Vec<(String, i64)> = both
        .throttles
        .iter()
        .map(|t| (t.key.clone(), t.failures))
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        [("ip:192.0.2.1".to_owned(), 2), ("login:aziz".to_owned(), 1)]
    );
    // Records of an unknown login's keys come back all the same (throttling does not tell).
    let unknown = reads("nobody", ["login:aziz", "login:aziz"]).await;
    assert_eq!(unknown.account, None);
    assert_eq!(unknown.throttles.len(), 1);
}

pub(in crate::store::tests) async fn session_lives_until_expiry_and_deletion(store: SharedStore) {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    let session = password_session("acc");
    assert!(!store.create_session(&session).await.unwrap());
    let id = &session.id_hash;
    assert_eq!(store.session(id, NOW).await.unwrap(), Some(session.clone()));
    assert_eq!(store.session(id, NOW + HOUR).await.unwrap(), None);
    store.delete_session(id).await.unwrap();
    assert_eq!(store.session(id, NOW).await.unwrap(), None);
}

/// The account's second-factor setting comes back from storing a session and with every read
/// of it, as it is now.
pub(in crate::store::tests) async fn session_reads_its_accounts_second_factor_setting(
    store: SharedStore,
) {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    store
        .set_require_second_factor("acc", true, NOW)
        .await
        .unwrap();
    let session = password_session("acc");
    assert!(store.create_session(&session).await.unwrap());
    let read = store.session(&session.id_hash, NOW).await.unwrap().unwrap();
    assert!(read.second_factor_required);
    store
        .set_require_second_factor("acc", false, NOW)
        .await
        .unwrap();
    let read = store.session(&session.id_hash, NOW).await.unwrap().unwrap();
    assert!(!read.second_factor_required);
}

pub(in crate::store::tests) async fn auth_request_is_taken_once(store: SharedStore) {
    let request = PendingAuthRequest {
        id_hash: token_hash("handle"),
        params: r#"{"client_id":"demo-rp"}"#.to_owned(),
        created_at: NOW,
        expires_at: NOW + 600,
    };
    store.put_auth_request(&request).await.unwrap();
    let id = &request.id_hash;
    assert_eq!(
        store.auth_request(id, NOW).await.unwrap(),
        Some(request.clone())
    );
    assert_eq!(store.auth_request(id, NOW + 600).await.unwrap(), None);
    assert!(store.take_auth_request(id).await.unwrap());
    assert!(!store.take_auth_request(id).await.unwrap());
    assert_eq!(store.auth_request(id, NOW).await.unwrap(), None);
}

/// A consent is recorded with the grant it leads to, replacing the earlier one, and not
/// when the request had already yielded its code.
pub(in crate::store::tests) async fn consent_is_recorded_with_its_grant(store: SharedStore) {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    assert_eq!(store.consent("acc", "demo-rp").await.unwrap(), None);
    let pending = pending_request("req-1");
    store.put_auth_request(&pending).await.unwrap();
    let consented = |grant_id: &'static str, scope: &'static str| {
        let store = store.clone();
        let finished = pending.id_hash.clone();
        async move {
            store
                .create_grant_with_code(
                    &grant(grant_id, "acc", None),
                    &code(grant_id, grant_id),
                    Some(&finished),
                    Some(scope),
                    false,
                )
                .await
                .unwrap()
        }
    };

    assert!(consented("g1", "openid").await);
    let scope = store.consent("acc", "demo-rp").await.unwrap();
    assert_eq!(scope.as_deref(), Some("openid"));
    // The request has ended: its second submission records nothing.
    assert!(!consented("g2", "openid email").await);
    let scope = store.consent("acc", "demo-rp").await.unwrap();
    assert_eq!(scope.as_deref(), Some("openid"));

    store.put_auth_request(&pending).await.unwrap();
    assert!(consented("g3", "openid email").await);
    let scope = store.consent("acc", "demo-rp").await.unwrap();
    assert_eq!(scope.as_deref(), Some("openid email"), "added");
    // Scopes granted before stay, after the ones consented to now.
    store.put_auth_request(&pending).await.unwrap();
    assert!(consented("g4", "profile openid").await);
    let scope = store.consent("acc", "demo-rp").await.unwrap();
    assert_eq!(scope.as_deref(), Some("profile openid email"), "merged");
    assert_eq!(store.consent("acc", "other-rp").await.unwrap(), None);
}

pub(in crate::store::tests) async fn jti_replay_is_detected(store: SharedStore) {
    assert!(
        store
            .remember_jti("demo-rp", "jti-1", NOW + 300)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remember_jti("demo-rp", "jti-1", NOW + 300)
            .await
            .unwrap()
    );
    assert!(
        store
            .remember_jti("other-rp", "jti-1", NOW + 300)
            .await
            .unwrap()
    );
}

fn lock_after_three(failures: i64) -> i64 {
    if failures >= 3 { 60 * failures } else { 0 }
}

pub(in crate::store::tests) async fn throttle_counts_failures_and_locks(store: SharedStore) {
    assert_eq!(store.throttle("login:acc").await.unwrap(), None);
    for (offset, expected_lock) in [(0, NOW), (1, NOW + 1), (2, NOW + 2 + 180)] {
        let record = store
            .record_failure("login:acc", NOW + offset, lock_after_three)
            .await;
        let record = record.unwrap();
        assert_eq!(record.failures, offset + 1);
        assert_eq!(record.last_failure, NOW + offset);
        assert_eq!(record.locked_until, expected_lock);
    }
    let stored = store.throttle("login:acc").await.unwrap().unwrap();
    assert_eq!((stored.key.as_str(), stored.failures), ("login:acc", 3));
    assert_eq!(store.throttle("ip:10.0.0.1").await.unwrap(), None);
    store.clear_failures("login:acc").await.unwrap();
    assert_eq!(store.throttle("login:acc").await.unwrap(), None);
}

pub(in crate::store::tests) async fn concurrent_failures_are_all_counted(store: SharedStore) {
    let attempts = (0..12).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .record_failure("ip:10.0.0.1", NOW, lock_after_three)
                .await
        })
    });
    let mut counts = Vec::new();
    for attempt in attempts.collect::<Vec<_>>() {
        counts.push(attempt.await.unwrap().unwrap().failures);
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=12).collect::<Vec<i64>>());
    let stored = store.throttle("ip:10.0.0.1").await.unwrap().unwrap();
    assert_eq!((stored.failures, stored.locked_until), (12, NOW + 720));
}

pub(in crate::store::tests) async fn purge_forgets_throttle_records_after_a_day(
    store: SharedStore,
) {
    let day = 86_400;
    store
        .record_failure("login:old", NOW, lock_after_three)
        .await
        .unwrap();
    store
        .record_failure("login:recent", NOW + day, lock_after_three)
        .await
        .unwrap();
    assert_eq!(store.purge_expired(NOW + day).await.unwrap(), 1);
    assert_eq!(store.throttle("login:old").await.unwrap(), None);
    assert!(store.throttle("login:recent").await.unwrap().is_some());
}
