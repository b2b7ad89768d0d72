//! Cases about what a sign-in produces: grants, codes, refresh tokens, revocations and the
//! purge of expired rows.

use super::*;

pub(in crate::store::tests) async fn grant_and_code_are_created_together(store: SharedStore) {
    let first = seed_grant(&*store).await;
    assert_eq!(store.grant("g1").await.unwrap(), Some(first));
    // The second code reuses code-1's hash: the insert fails and takes its grant with it.
    let result = issue(&*store, "g2", "code-1", None).await;
    assert_eq!(conflict_field(result), "primary key");
    assert_eq!(store.grant("g2").await.unwrap(), None);
}

pub(in crate::store::tests) async fn issuing_a_code_ends_its_pending_request(store: SharedStore) {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    let pending = pending_request("req-1");
    store.put_auth_request(&pending).await.unwrap();
    // A failed issue (the code hash is taken) keeps the request for another try.
    issue(&*store, "g1", "code-1", None).await.unwrap();
    let result = issue(&*store, "g2", "code-1", Some(&pending.id_hash)).await;
    assert_eq!(conflict_field(result), "primary key");
    assert!(
        store
            .auth_request(&pending.id_hash, NOW)
            .await
            .unwrap()
            .is_some()
    );
    let issued = issue(&*store, "g3", "code-3", Some(&pending.id_hash))
        .await
        .unwrap();
    assert!(issued);
    assert_eq!(
        store.auth_request(&pending.id_hash, NOW).await.unwrap(),
        None
    );
    assert!(store.grant("g3").await.unwrap().is_some());
    // The request has ended: a second submission gets nothing, and writes nothing.
    let again = issue(&*store, "g4", "code-4", Some(&pending.id_hash))
        .await
        .unwrap();
    assert!(!again);
    assert!(store.grant("g4").await.unwrap().is_none());
    assert_eq!(
        store.redeem_code(&token_hash("code-4"), NOW).await.unwrap(),
        CodeRedemption::Invalid
    );
}

/// A grant of a session is written only while the database still has that session, and only
/// when its account does not require a second factor the session lacks; otherwise nothing is
/// written and the pending request stays for the sign-in that follows.
pub(in crate::store::tests) async fn issuing_a_code_needs_its_session(store: SharedStore) {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    let session = password_session("acc");
    let pending = pending_request("req-1");
    store.put_auth_request(&pending).await.unwrap();
    let issue = |id: &'static str, unproven: bool| {
        let store = store.clone();
        let request = pending.id_hash.clone();
        async move {
            store
                .create_grant_with_code(
                    &grant(id, "acc", Some(SESSION)),
                    &code(id, id),
                    Some(&request),
                    None,
                    unproven,
                )
                .await
                .unwrap()
        }
    };
    let request_is_pending = || async {
        store
            .auth_request(&pending.id_hash, NOW)
            .await
            .unwrap()
            .is_some()
    };
    // Never opened, or ended (on another node, say).
    assert!(!issue("g1", false).await);
    store.create_session(&session).await.unwrap();
    store.delete_session(&session.id_hash).await.unwrap();
    assert!(!issue("g2", false).await);
    // The account now requires a second factor: only a session that proved one continues.
    store.create_session(&session).await.unwrap();
    store
        .set_require_second_factor("acc", true, NOW)
        .await
        .unwrap();
    assert!(!issue("g3", true).await);
    for refused in ["g1", "g2", "g3"] {
        assert!(store.grant(refused).await.unwrap().is_none(), "{refused}");
    }
    assert!(request_is_pending().await);
    assert!(issue("g4", false).await);
    assert!(store.grant("g4").await.unwrap().is_some());
    assert!(!request_is_pending().await);
}

pub(in crate::store::tests) async fn code_is_redeemed_once_then_replayed(store: SharedStore) {
    let grant = seed_grant(&*store).await;
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

pub(in crate::store::tests) async fn expired_unknown_or_revoked_codes_are_invalid(
    store: SharedStore,
) {
    seed_grant(&*store).await;
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

    issue(&*store, "g2", "code-2", None).await.unwrap();
    store.revoke_grant("g2", NOW, NOW + 300).await.unwrap();
    let revoked = store.redeem_code(&token_hash("code-2"), NOW).await.unwrap();
    assert_eq!(revoked, CodeRedemption::Invalid);
}

pub(in crate::store::tests) async fn refresh_rotation_then_reuse_detection(store: SharedStore) {
    let grant = seed_grant(&*store).await;
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
    assert_eq!(rotated, RefreshRotation::Rotated);
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
    assert_eq!(chained, RefreshRotation::Rotated);
    assert_eq!(
        store
            .grant_of_refresh_token(&token_hash("rt-3"))
            .await
            .unwrap(),
        Some(grant)
    );
    assert_eq!(
        store
            .grant_of_refresh_token(&token_hash("nope"))
            .await
            .unwrap(),
        None
    );
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

/// Tokens rotated before rotation recorded successors carry `used = TRUE`: still reuse.
pub(in crate::store::tests) async fn a_token_marked_used_is_reused(store: SharedStore) {
    seed_grant(&*store).await;
    let marked = RefreshToken {
        used: true,
        ..refresh("rt-old", "g1", NOW + HOUR)
    };
    store.insert_refresh_token(&marked).await.unwrap();
    assert_rotation_is_reuse(store.as_ref(), &token_hash("rt-old")).await;
}

pub(in crate::store::tests) async fn refresh_stops_when_grant_expires(store: SharedStore) {
    let grant = seed_grant(&*store).await;
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

pub(in crate::store::tests) async fn revoked_grant_stops_refresh_and_is_recorded(
    store: SharedStore,
) {
    seed_grant(&*store).await;
    store
        .insert_refresh_token(&refresh("rt-1", "g1", NOW + HOUR))
        .await
        .unwrap();
    store.revoke_grant("g1", NOW, NOW + 300).await.unwrap();
    let rotation = store
        .rotate_refresh_token(&token_hash("rt-1"), &refresh("rt-2", "g1", NOW + HOUR), NOW)
        .await
        .unwrap();
    assert_eq!(rotation, RefreshRotation::Invalid);
    assert!(store.grant("g1").await.unwrap().unwrap().revoked);
    assert_eq!(
        store.revocations(0, NOW).await.unwrap(),
        vec![revocation(revoked::GRANT, "g1", NOW, NOW + 300)]
    );
    // Revoking again keeps the first record; an unknown grant records nothing.
    store.revoke_grant("g1", NOW + 5, NOW + 305).await.unwrap();
    store.revoke_grant("nope", NOW, NOW + 300).await.unwrap();
    assert_eq!(store.revocations(0, NOW).await.unwrap().len(), 1);
}

pub(in crate::store::tests) async fn access_token_revocations_are_listed_while_they_matter(
    store: SharedStore,
) {
    store
        .revoke_access_token("j-1", NOW, NOW + 300)
        .await
        .unwrap();
    store
        .revoke_access_token("j-2", NOW + 10, NOW + 100)
        .await
        .unwrap();
    store
        .revoke_access_token("j-1", NOW + 20, NOW + 300)
        .await
        .unwrap();
    let all = store.revocations(0, NOW).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.contains(&revocation(revoked::ACCESS_TOKEN, "j-1", NOW, NOW + 300)));
    // Only those recorded since a time, and only while a token they cover can be alive.
    assert_eq!(
        store.revocations(NOW + 5, NOW).await.unwrap(),
        vec![revocation(
            revoked::ACCESS_TOKEN,
            "j-2",
            NOW + 10,
            NOW + 100
        )]
    );
    assert_eq!(store.revocations(0, NOW + 100).await.unwrap().len(), 1);
}

fn revocation(kind: &str, id: &str, revoked_at: UnixTime, expires_at: UnixTime) -> Revocation {
    Revocation {
        kind: kind.to_owned(),
        id: id.to_owned(),
        revoked_at,
        expires_at,
    }
}

pub(in crate::store::tests) async fn purge_deletes_only_expired_rows(store: SharedStore) {
    seed_grant(&*store).await; // Code expires at NOW + 60, grant at NOW + 24 h.
    let mut old = grant("g-old", "acc", None);
    old.expires_at = NOW + 100;
    store
        .create_grant_with_code(&old, &code("code-old", "g-old"), None, None, false)
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
        .revoke_access_token("at-1", NOW, NOW + 300)
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
    assert_eq!(store.revocations(0, 0).await.unwrap(), vec![]);
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
