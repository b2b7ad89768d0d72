//! The conformance cases. Each takes a fresh, migrated store and asserts behaviour that both
//! backends must share.

use crate::clock::UnixTime;
use crate::crypto::token_hash;
use crate::store::*;

/// A fixed "now" for every case.
const NOW: UnixTime = 1_750_000_000;
const HOUR: i64 = 3600;

pub(super) fn account(id: &str, username: &str) -> Account {
    Account {
        id: id.to_owned(),
        username: Some(username.to_owned()),
        email: Some(format!("{username}@example.uz")),
        email_verified: true,
        phone: None,
        phone_verified: false,
        pinfl: None,
        given_name: Some("Aziz".to_owned()),
        family_name: Some("Karimov".to_owned()),
        middle_name: None,
        birthdate: Some("1990-01-31".to_owned()),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        locale: Some("uz".to_owned()),
        disabled: false,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn grant(id: &str, account_id: &str, session: Option<&str>) -> Grant {
    Grant {
        id: id.to_owned(),
        client_id: "demo-rp".to_owned(),
        account_id: account_id.to_owned(),
        scope: "openid profile".to_owned(),
        auth_time: NOW - 60,
        amr: "pwd".to_owned(),
        acr: "0".to_owned(),
        session_id_hash: session.map(token_hash),
        created_at: NOW,
        expires_at: NOW + 24 * HOUR,
        revoked: false,
    }
}

fn code(secret: &str, grant_id: &str) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: token_hash(secret),
        grant_id: grant_id.to_owned(),
        client_id: "demo-rp".to_owned(),
        redirect_uri: "https://rp.example.uz/callback".to_owned(),
        nonce: Some("n-0S6_WzA2Mj".to_owned()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned()),
        created_at: NOW,
        expires_at: NOW + 60,
        used: false,
    }
}

fn refresh(secret: &str, grant_id: &str, expires_at: UnixTime) -> RefreshToken {
    RefreshToken {
        token_hash: token_hash(secret),
        grant_id: grant_id.to_owned(),
        created_at: NOW,
        expires_at,
        used: false,
    }
}

fn access(secret: &str, grant_id: Option<&str>, account_id: Option<&str>) -> AccessTokenRecord {
    AccessTokenRecord {
        token_hash: token_hash(secret),
        jti: format!("jti-{secret}"),
        client_id: "demo-rp".to_owned(),
        grant_id: grant_id.map(str::to_owned),
        account_id: account_id.map(str::to_owned),
        scope: "openid".to_owned(),
        issued_at: NOW,
        expires_at: NOW + 300,
        revoked: false,
    }
}

/// An account `acc` with grant `g1` (from session `sess`) and its unredeemed code `code-1`.
async fn seed_grant(store: &SharedStore) -> Grant {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    let grant = grant("g1", "acc", Some("sess"));
    store
        .create_grant_with_code(&grant, &code("code-1", "g1"))
        .await
        .unwrap();
    grant
}

fn conflict_field(result: StoreResult<()>) -> String {
    match result {
        Err(StoreError::Conflict(field)) => field,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

pub(super) async fn account_create_lookup_and_update(store: SharedStore) {
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

pub(super) async fn account_conflicts_name_the_field(store: SharedStore) {
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

pub(super) async fn session_lives_until_expiry_and_deletion(store: SharedStore) {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    let session = Session {
        id_hash: token_hash("sid"),
        account_id: "acc".to_owned(),
        auth_time: NOW,
        amr: "pwd".to_owned(),
        acr: "0".to_owned(),
        created_at: NOW,
        expires_at: NOW + HOUR,
    };
    store.create_session(&session).await.unwrap();
    let id = &session.id_hash;
    assert_eq!(store.session(id, NOW).await.unwrap(), Some(session.clone()));
    assert_eq!(store.session(id, NOW + HOUR).await.unwrap(), None);
    store.delete_session(id).await.unwrap();
    assert_eq!(store.session(id, NOW).await.unwrap(), None);
}

pub(super) async fn auth_request_is_taken_once(store: SharedStore) {
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

pub(super) async fn consent_is_replaced(store: SharedStore) {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    assert_eq!(store.consent("acc", "demo-rp").await.unwrap(), None);
    store
        .save_consent("acc", "demo-rp", "openid", NOW)
        .await
        .unwrap();
    store
        .save_consent("acc", "demo-rp", "openid email", NOW + 1)
        .await
        .unwrap();
    let scope = store.consent("acc", "demo-rp").await.unwrap();
    assert_eq!(scope.as_deref(), Some("openid email"));
    assert_eq!(store.consent("acc", "other-rp").await.unwrap(), None);
}

pub(super) async fn grant_and_code_are_created_together(store: SharedStore) {
    let first = seed_grant(&store).await;
    assert_eq!(store.grant("g1").await.unwrap(), Some(first));
    // The second code reuses code-1's hash: the insert fails and takes its grant with it.
    let second = grant("g2", "acc", None);
    let result = store
        .create_grant_with_code(&second, &code("code-1", "g2"))
        .await;
    assert_eq!(conflict_field(result), "primary key");
    assert_eq!(store.grant("g2").await.unwrap(), None);
}

pub(super) async fn code_is_redeemed_once_then_replayed(store: SharedStore) {
    let grant = seed_grant(&store).await;
    let hash = token_hash("code-1");
    let first = store.redeem_code(&hash, NOW + 10).await.unwrap();
    let expected_code = AuthorizationCode {
        used: true,
        ..code("code-1", "g1")
    };
    assert_eq!(
        first,
        CodeRedemption::Redeemed {
            code: expected_code,
            grant
        }
    );
    let again = store.redeem_code(&hash, NOW + 11).await.unwrap();
    assert_eq!(
        again,
        CodeRedemption::Replayed {
            grant_id: "g1".to_owned()
        }
    );
}

pub(super) async fn expired_unknown_or_revoked_codes_are_invalid(store: SharedStore) {
    seed_grant(&store).await;
    let hash = token_hash("code-1");
    assert_eq!(
        store.redeem_code(&hash, NOW + 60).await.unwrap(),
        CodeRedemption::Invalid
    );
    let unknown = token_hash("never-issued");
    assert_eq!(
        store.redeem_code(&unknown, NOW).await.unwrap(),
        CodeRedemption::Invalid
    );

    store
        .create_grant_with_code(&grant("g2", "acc", None), &code("code-2", "g2"))
        .await
        .unwrap();
    store.revoke_grant("g2").await.unwrap();
    let revoked = store.redeem_code(&token_hash("code-2"), NOW).await.unwrap();
    assert_eq!(revoked, CodeRedemption::Invalid);
}

pub(super) async fn refresh_rotation_then_reuse_detection(store: SharedStore) {
    let grant = seed_grant(&store).await;
    store
        .insert_refresh_token(&refresh("rt-1", "g1", NOW + HOUR))
        .await
        .unwrap();

    let rotated = store
        .rotate_refresh_token(
            &token_hash("rt-1"),
            &refresh("rt-2", "g1", NOW + HOUR),
            NOW + 5,
        )
        .await
        .unwrap();
    assert_eq!(
        rotated,
        RefreshRotation::Rotated {
            grant: grant.clone()
        }
    );
    let old = store
        .refresh_token(&token_hash("rt-1"))
        .await
        .unwrap()
        .unwrap();
    assert!(old.used);
    let new = store
        .refresh_token(&token_hash("rt-2"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new, refresh("rt-2", "g1", NOW + HOUR));

    let reused = store
        .rotate_refresh_token(
            &token_hash("rt-1"),
            &refresh("rt-3", "g1", NOW + HOUR),
            NOW + 6,
        )
        .await
        .unwrap();
    assert_eq!(
        reused,
        RefreshRotation::Reused {
            grant_id: "g1".to_owned()
        }
    );
    assert_eq!(
        store.refresh_token(&token_hash("rt-3")).await.unwrap(),
        None
    );

    let chained = store
        .rotate_refresh_token(
            &token_hash("rt-2"),
            &refresh("rt-3", "g1", NOW + HOUR),
            NOW + 7,
        )
        .await
        .unwrap();
    assert_eq!(chained, RefreshRotation::Rotated { grant });
    let unknown = store
        .rotate_refresh_token(&token_hash("nope"), &refresh("rt-4", "g1", NOW + HOUR), NOW)
        .await
        .unwrap();
    assert_eq!(unknown, RefreshRotation::Invalid);
    let expired = store
        .rotate_refresh_token(
            &token_hash("rt-3"),
            &refresh("rt-4", "g1", NOW + HOUR),
            NOW + HOUR,
        )
        .await
        .unwrap();
    assert_eq!(expired, RefreshRotation::Invalid);
}

pub(super) async fn refresh_stops_when_grant_expires(store: SharedStore) {
    let grant = seed_grant(&store).await;
    store
        .insert_refresh_token(&refresh("rt-1", "g1", grant.expires_at + HOUR))
        .await
        .unwrap();
    let after_grant = store
        .rotate_refresh_token(
            &token_hash("rt-1"),
            &refresh("rt-2", "g1", NOW),
            grant.expires_at,
        )
        .await
        .unwrap();
    assert_eq!(after_grant, RefreshRotation::Invalid);
    assert!(
        !store
            .refresh_token(&token_hash("rt-1"))
            .await
            .unwrap()
            .unwrap()
            .used
    );
}

pub(super) async fn revoked_grant_stops_access_token_and_refresh(store: SharedStore) {
    seed_grant(&store).await;
    store
        .insert_refresh_token(&refresh("rt-1", "g1", NOW + HOUR))
        .await
        .unwrap();
    store
        .insert_access_token(&access("at-1", Some("g1"), Some("acc")))
        .await
        .unwrap();
    let live = store
        .access_token(&token_hash("at-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live, access("at-1", Some("g1"), Some("acc")));

    store.revoke_grant("g1").await.unwrap();
    let revoked = store
        .access_token(&token_hash("at-1"))
        .await
        .unwrap()
        .unwrap();
    assert!(revoked.revoked);
    let rotation = store
        .rotate_refresh_token(&token_hash("rt-1"), &refresh("rt-2", "g1", NOW + HOUR), NOW)
        .await
        .unwrap();
    assert_eq!(rotation, RefreshRotation::Invalid);
    assert!(store.grant("g1").await.unwrap().unwrap().revoked);
}

pub(super) async fn revoking_a_session_revokes_its_grants(store: SharedStore) {
    seed_grant(&store).await;
    store
        .create_grant_with_code(&grant("g2", "acc", Some("other")), &code("c2", "g2"))
        .await
        .unwrap();
    store
        .revoke_grants_for_session(&token_hash("sess"))
        .await
        .unwrap();
    assert!(store.grant("g1").await.unwrap().unwrap().revoked);
    assert!(!store.grant("g2").await.unwrap().unwrap().revoked);
}

pub(super) async fn access_token_revocation_without_grant(store: SharedStore) {
    let token = access("cc-1", None, None);
    store.insert_access_token(&token).await.unwrap();
    assert_eq!(
        store.access_token(&token.token_hash).await.unwrap(),
        Some(token.clone())
    );
    store.revoke_access_token(&token.token_hash).await.unwrap();
    let revoked = store
        .access_token(&token.token_hash)
        .await
        .unwrap()
        .unwrap();
    assert!(revoked.revoked);
    assert_eq!(
        store.access_token(&token_hash("unknown")).await.unwrap(),
        None
    );
}

pub(super) async fn jti_replay_is_detected(store: SharedStore) {
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

pub(super) async fn throttle_counts_failures_and_locks(store: SharedStore) {
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

pub(super) async fn concurrent_failures_are_all_counted(store: SharedStore) {
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

pub(super) async fn purge_deletes_only_expired_rows(store: SharedStore) {
    seed_grant(&store).await; // Code expires at NOW + 60, grant at NOW + 24 h.
    let mut old = grant("g-old", "acc", None);
    old.expires_at = NOW + 100;
    store
        .create_grant_with_code(&old, &code("code-old", "g-old"))
        .await
        .unwrap();
    store
        .insert_refresh_token(&refresh("rt-live", "g1", NOW + 2 * HOUR))
        .await
        .unwrap();
    store
        .insert_refresh_token(&refresh("rt-dead", "g1", NOW + 200))
        .await
        .unwrap();
    store
        .insert_access_token(&access("at-1", Some("g1"), Some("acc")))
        .await
        .unwrap();
    store
        .remember_jti("demo-rp", "j-dead", NOW + 50)
        .await
        .unwrap();
    store
        .remember_jti("demo-rp", "j-live", NOW + 5000)
        .await
        .unwrap();
    let request = |secret: &str, expires_at| PendingAuthRequest {
        id_hash: token_hash(secret),
        params: "{}".to_owned(),
        created_at: NOW,
        expires_at,
    };
    store
        .put_auth_request(&request("req-dead", NOW + 10))
        .await
        .unwrap();
    store
        .put_auth_request(&request("req-live", NOW + 9000))
        .await
        .unwrap();

    // At NOW + 1000: both codes, rt-dead, at-1, g-old, j-dead and req-dead are gone.
    let deleted = store.purge_expired(NOW + 1000).await.unwrap();
    assert_eq!(deleted, 7);
    assert_eq!(store.grant("g-old").await.unwrap(), None);
    assert!(store.grant("g1").await.unwrap().is_some());
    assert!(
        store
            .refresh_token(&token_hash("rt-live"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.refresh_token(&token_hash("rt-dead")).await.unwrap(),
        None
    );
    assert_eq!(store.access_token(&token_hash("at-1")).await.unwrap(), None);
    assert!(
        !store
            .remember_jti("demo-rp", "j-live", NOW + 5000)
            .await
            .unwrap()
    );
    assert!(
        store
            .remember_jti("demo-rp", "j-dead", NOW + 5000)
            .await
            .unwrap()
    );
    assert!(
        store
            .auth_request(&token_hash("req-live"), NOW + 1000)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        !store
            .take_auth_request(&token_hash("req-dead"))
            .await
            .unwrap()
    );
    assert_eq!(
        store.redeem_code(&token_hash("code-1"), NOW).await.unwrap(),
        CodeRedemption::Invalid
    );
}
