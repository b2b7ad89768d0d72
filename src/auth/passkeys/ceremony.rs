//! Starting and finishing the three ceremonies: registering a passkey, passwordless sign-in
//! with a discoverable credential, and a passkey as the second factor of a known account.

use serde::Serialize;
use serde::de::DeserializeOwned;
use webauthn_rs::prelude::{
    AuthenticationResult, CreationChallengeResponse, Credential, DiscoverableAuthentication,
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, RequestChallengeResponse, WebauthnError,
};
use webauthn_rs_proto::{Mediation, ResidentKeyRequirement};

use super::{CEREMONY_LIFETIME_SECONDS, PasskeyError, Passkeys, passkey_amr, user_handle};
use crate::clock::UnixTime;
use crate::crypto::{random_token, token_hash};
use crate::store::{PasskeyUse, Store, StoreError, StoredPasskey, WebauthnCeremony};

/// What a ceremony is for (stored as its `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyKind {
    Register,
    /// Passwordless sign-in with a discoverable credential.
    Login,
    /// A passkey confirming the account of an existing (password) session.
    SecondFactor,
}

impl CeremonyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Login => "login",
            Self::SecondFactor => "second_factor",
        }
    }
}

/// A started ceremony: the id the browser sends back, and the options for
/// `navigator.credentials.create()` / `.get()`.
#[derive(Debug, Clone, Serialize)]
pub struct Started<T> {
    pub ceremony: String,
    pub options: T,
}

/// The browser's answer to a ceremony: the ceremony id it was given, what binds it to this
/// browser, and the credential the authenticator produced.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a, T> {
    pub ceremony_id: &'a str,
    pub binding: &'a [u8],
    pub credential: &'a T,
}

/// A successful passkey authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeySignIn {
    pub account_id: String,
    pub kind: CeremonyKind,
    /// RFC 8176 values for the passkey itself (`hwk`/`swk`, `user`).
    pub amr: Vec<String>,
}

impl Passkeys {
    /// Starts registering a passkey for `account_id`, excluding its existing ones. The browser
    /// is asked for a discoverable credential (so it can later sign in without a username),
    /// "preferred" rather than "required" so authenticators without resident-key storage can
    /// still be second factors.
    pub async fn start_registration(
        &self,
        store: &dyn Store,
        account_id: &str,
        user_name: &str,
        binding: &[u8],
        now: UnixTime,
    ) -> Result<Started<CreationChallengeResponse>, PasskeyError> {
        let existing = store.passkeys_for_account(account_id).await?;
        let exclude = existing.iter().map(|p| p.credential_id.clone()).collect();
        let (mut options, state) = self
            .webauthn
            .start_passkey_registration(
                user_handle(account_id),
                user_name,
                user_name,
                Some(exclude),
            )
            .map_err(|e| PasskeyError::Internal(e.to_string()))?;
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Preferred);
            selection.require_resident_key = false;
        }
        let ceremony = save(
            store,
            CeremonyKind::Register,
            &state,
            Some(account_id),
            binding,
            now,
        )
        .await?;
        Ok(Started { ceremony, options })
    }

    /// Verifies the browser's answer and stores the new passkey under `name`.
    pub async fn finish_registration(
        &self,
        store: &dyn Store,
        answer: Answer<'_, RegisterPublicKeyCredential>,
        account_id: &str,
        name: &str,
        now: UnixTime,
    ) -> Result<StoredPasskey, PasskeyError> {
        let ceremony = take(store, answer.ceremony_id, answer.binding, now).await?;
        if ceremony.kind != CeremonyKind::Register.as_str()
            || ceremony.account_id.as_deref() != Some(account_id)
        {
            return Err(PasskeyError::CeremonyNotFound);
        }
        let state: PasskeyRegistration = decode(&ceremony.state)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(answer.credential, &state)
            .map_err(refusal)?;
        let details = Credential::from(passkey.clone());
        let stored = StoredPasskey {
            credential_id: passkey.cred_id().to_vec(),
            account_id: account_id.to_owned(),
            name: name.to_owned(),
            passkey: encode(&passkey)?,
            created_at: now,
            last_used_at: None,
            backup_eligible: details.backup_eligible,
            backup_state: details.backup_state,
            sign_count: i64::from(details.counter),
        };
        match store.insert_passkey(&stored).await {
            Ok(()) => Ok(stored),
            Err(StoreError::Conflict(_)) => Err(PasskeyError::AlreadyRegistered),
            Err(e) => Err(e.into()),
        }
    }

    /// Starts a passwordless sign-in: any discoverable passkey of this relying party may answer.
    /// `conditional` asks for the browser's autofill UI instead of a modal prompt.
    pub async fn start_login(
        &self,
        store: &dyn Store,
        binding: &[u8],
        conditional: bool,
        now: UnixTime,
    ) -> Result<Started<RequestChallengeResponse>, PasskeyError> {
        let (mut options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| PasskeyError::Internal(e.to_string()))?;
        options.mediation = conditional.then_some(Mediation::Conditional);
        let ceremony = save(store, CeremonyKind::Login, &state, None, binding, now).await?;
        Ok(Started { ceremony, options })
    }

    /// Starts a second-factor confirmation for `account_id`, offering its passkeys.
    pub async fn start_second_factor(
        &self,
        store: &dyn Store,
        account_id: &str,
        binding: &[u8],
        now: UnixTime,
    ) -> Result<Started<RequestChallengeResponse>, PasskeyError> {
        let passkeys = stored_passkeys(&store.passkeys_for_account(account_id).await?)?;
        if passkeys.is_empty() {
            return Err(PasskeyError::NoPasskeys);
        }
        let (options, state) = self
            .webauthn
            .start_passkey_authentication(&passkeys)
            .map_err(|e| PasskeyError::Internal(e.to_string()))?;
        let ceremony = save(
            store,
            CeremonyKind::SecondFactor,
            &state,
            Some(account_id),
            binding,
            now,
        )
        .await?;
        Ok(Started { ceremony, options })
    }

    /// Finishes a sign-in or second-factor ceremony: verifies the assertion (challenge, origin,
    /// rp id, signature, user verification, counter), records the use, and says who signed in.
    pub async fn finish_authentication(
        &self,
        store: &dyn Store,
        answer: Answer<'_, PublicKeyCredential>,
        now: UnixTime,
    ) -> Result<PasskeySignIn, PasskeyError> {
        let credential = answer.credential;
        let ceremony = take(store, answer.ceremony_id, answer.binding, now).await?;
        let (kind, stored, result) = match (ceremony.kind.as_str(), &ceremony.account_id) {
            ("login", None) => {
                let (stored, result) = self
                    .finish_discoverable(store, &ceremony, credential)
                    .await?;
                (CeremonyKind::Login, stored, result)
            }
            ("second_factor", Some(account_id)) => {
                let state: PasskeyAuthentication = decode(&ceremony.state)?;
                let result = self
                    .webauthn
                    .finish_passkey_authentication(credential, &state)
                    .map_err(refusal)?;
                let stored = store
                    .passkey(result.cred_id())
                    .await?
                    .filter(|p| &p.account_id == account_id)
                    .ok_or(PasskeyError::UnknownCredential)?;
                (CeremonyKind::SecondFactor, stored, result)
            }
            _ => return Err(PasskeyError::CeremonyNotFound),
        };
        let backup_eligible = record_use(store, &stored, &result, now).await?;
        Ok(PasskeySignIn {
            account_id: stored.account_id,
            kind,
            amr: passkey_amr(backup_eligible, result.user_verified()),
        })
    }

    /// The discoverable case: the browser names the credential and the user handle; both must
    /// belong to one registered passkey before its signature is checked.
    async fn finish_discoverable(
        &self,
        store: &dyn Store,
        ceremony: &WebauthnCeremony,
        credential: &PublicKeyCredential,
    ) -> Result<(StoredPasskey, AuthenticationResult), PasskeyError> {
        let state: DiscoverableAuthentication = decode(&ceremony.state)?;
        let (user, credential_id) = self
            .webauthn
            .identify_discoverable_authentication(credential)
            .map_err(refusal)?;
        let stored = store
            .passkey(credential_id)
            .await?
            .filter(|p| user_handle(&p.account_id) == user)
            .ok_or(PasskeyError::UnknownCredential)?;
        let passkey: Passkey = decode(&stored.passkey)?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(credential, state, &passkey)
            .map_err(refusal)?;
        Ok((stored, result))
    }
}

/// Stores the new counter, flags and last use; returns whether the key may be synced.
async fn record_use(
    store: &dyn Store,
    stored: &StoredPasskey,
    result: &AuthenticationResult,
    now: UnixTime,
) -> Result<bool, PasskeyError> {
    let mut passkey: Passkey = decode(&stored.passkey)?;
    passkey.update_credential(result);
    let details = Credential::from(passkey.clone());
    let used = PasskeyUse {
        passkey: encode(&passkey)?,
        sign_count: i64::from(details.counter),
        backup_eligible: details.backup_eligible,
        backup_state: details.backup_state,
        used_at: now,
    };
    if !store
        .record_passkey_use(&stored.credential_id, &used)
        .await?
    {
        // Removed between the lookup and now: the sign-in must not succeed with it.
        return Err(PasskeyError::UnknownCredential);
    }
    Ok(details.backup_eligible)
}

async fn save<T: Serialize>(
    store: &dyn Store,
    kind: CeremonyKind,
    state: &T,
    account_id: Option<&str>,
    binding: &[u8],
    now: UnixTime,
) -> Result<String, PasskeyError> {
    let id = random_token();
    store
        .put_ceremony(&WebauthnCeremony {
            id_hash: token_hash(&id),
            kind: kind.as_str().to_owned(),
            state: encode(state)?,
            account_id: account_id.map(str::to_owned),
            binding_hash: binding.to_vec(),
            created_at: now,
            expires_at: now + CEREMONY_LIFETIME_SECONDS,
        })
        .await?;
    Ok(id)
}

async fn take(
    store: &dyn Store,
    ceremony_id: &str,
    binding: &[u8],
    now: UnixTime,
) -> Result<WebauthnCeremony, PasskeyError> {
    if ceremony_id.is_empty() || ceremony_id.len() > 64 {
        return Err(PasskeyError::CeremonyNotFound);
    }
    store
        .take_ceremony(&token_hash(ceremony_id), binding, now)
        .await?
        .ok_or(PasskeyError::CeremonyNotFound)
}

fn stored_passkeys(rows: &[StoredPasskey]) -> Result<Vec<Passkey>, PasskeyError> {
    rows.iter().map(|row| decode(&row.passkey)).collect()
}

/// Maps a verification failure; a counter that did not advance is the WebAuthn signal of a
/// cloned authenticator (§6.1.1), logged and refused.
fn refusal(error: WebauthnError) -> PasskeyError {
    match error {
        WebauthnError::CredentialPossibleCompromise => {
            tracing::warn!("passkey refused: signature counter did not advance (possible clone)");
            PasskeyError::PossibleClone
        }
        WebauthnError::MismatchedChallenge => {
            PasskeyError::Rejected("the response answers a different challenge".into())
        }
        WebauthnError::InvalidRPOrigin => {
            PasskeyError::Rejected("the response comes from another origin".into())
        }
        WebauthnError::UserNotVerified => {
            PasskeyError::Rejected("the authenticator did not verify the citizen".into())
        }
        other => PasskeyError::Rejected(other.to_string()),
    }
}

fn encode<T: Serialize>(value: &T) -> Result<String, PasskeyError> {
    serde_json::to_string(value).map_err(|e| PasskeyError::Internal(format!("encode: {e}")))
}

fn decode<T: DeserializeOwned>(json: &str) -> Result<T, PasskeyError> {
    serde_json::from_str(json).map_err(|e| PasskeyError::Internal(format!("stored state: {e}")))
}
