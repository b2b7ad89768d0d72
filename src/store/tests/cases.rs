//! The conformance cases. Each takes a fresh, migrated store and asserts behaviour that both
//! backends must share. This file holds the fixtures; the cases live in `identity`, `tokens`,
//! `passkeys` and `import`.

mod identity;
mod import;
mod passkeys;
mod tokens;

use crate::clock::UnixTime;
use crate::crypto::token_hash;
use crate::store::*;

pub(super) use identity::*;
pub(super) use import::*;
pub(super) use passkeys::*;
pub(super) use tokens::*;

/// A fixed "now" for every case.
pub(in crate::store) const NOW: UnixTime = 1_750_000_000;
const HOUR: i64 = 3600;

pub(in crate::store) fn account(id: &str, username: &str) -> Account {
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

pub(in crate::store) fn grant(id: &str, account_id: &str, session: Option<&str>) -> Grant {
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

/// The cookie value of `password_session`.
pub(in crate::store) const SESSION: &str = "sid";

/// A password session of `account_id` started at `NOW`, lasting an hour.
pub(in crate::store) fn password_session(account_id: &str) -> Session {
    Session {
        id_hash: token_hash(SESSION),
        account_id: account_id.to_owned(),
        auth_time: NOW,
        amr: "pwd".to_owned(),
        acr: "0".to_owned(),
        created_at: NOW,
        expires_at: NOW + HOUR,
        second_factor_required: false,
    }
}

/// A pending authorization request, live for ten minutes from `NOW`.
fn pending_request(secret: &str) -> PendingAuthRequest {
    PendingAuthRequest {
        id_hash: token_hash(secret),
        params: "{}".to_owned(),
        created_at: NOW,
        expires_at: NOW + 600,
    }
}

pub(in crate::store) fn code(secret: &str, grant_id: &str) -> AuthorizationCode {
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

pub(in crate::store) fn refresh(
    secret: &str,
    grant_id: &str,
    expires_at: UnixTime,
) -> RefreshToken {
    RefreshToken {
        token_hash: token_hash(secret),
        grant_id: grant_id.to_owned(),
        created_at: NOW,
        expires_at,
        used: false,
    }
}

/// An account `acc` with grant `g1` (from session `sess`) and its unredeemed code `code-1`.
/// Presenting `old` (a token of grant g1) again is reuse, and its would-be successor is not
/// stored.
pub(in crate::store) async fn assert_rotation_is_reuse(
    store: &(dyn GrantStore + Send + Sync),
    old: &[u8],
) {
    let again = store
        .rotate_refresh_token(old, &refresh("rt-next", "g1", NOW + HOUR), NOW + 5)
        .await
        .unwrap();
    assert_eq!(
        again,
        RefreshRotation::Reused {
            grant_id: "g1".to_owned()
        }
    );
    assert_eq!(
        store.refresh_token(&token_hash("rt-next")).await.unwrap(),
        None
    );
}

/// Writes grant `grant_id` of account `acc` (of no session) with the code `code_secret`,
/// ending the pending request `finished` when one is named.
pub(in crate::store) async fn issue(
    store: &dyn Store,
    grant_id: &str,
    code_secret: &str,
    finished: Option<&[u8]>,
) -> StoreResult<bool> {
    let grant = grant(grant_id, "acc", None);
    let code = code(code_secret, grant_id);
    store
        .create_grant_with_code(&grant, &code, finished, None, false)
        .await
}

/// An account `acc` with a session, grant `g1` of that session and its code `code-1`.
pub(in crate::store) async fn seed_grant(store: &dyn Store) -> Grant {
    store.create_account(&account("acc", "aziz")).await.unwrap();
    store
        .create_session(&password_session("acc"))
        .await
        .unwrap();
    let grant = grant("g1", "acc", Some(SESSION));
    store
        .create_grant_with_code(&grant, &code("code-1", "g1"), None, None, false)
        .await
        .unwrap();
    grant
}

fn conflict_field<T: std::fmt::Debug>(result: StoreResult<T>) -> String {
    match result {
        Err(StoreError::Conflict(field)) => field,
        other => panic!("expected a conflict, got {other:?}"),
    }
}
