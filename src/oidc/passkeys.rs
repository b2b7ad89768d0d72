//! Where passkeys meet the sign-in flow: when a passkey step is needed, and the session that
//! follows a passkey authentication. The ceremonies themselves are in `crate::auth::passkeys`.

use super::authorize::AuthorizationRequest;
use super::provider::Provider;
use super::session::{NewSession, SignInError};
use crate::auth::AuthContext;
use crate::auth::login::acr;
use crate::auth::passkeys::{CeremonyKind, PasskeySignIn};
use crate::store::{Session, StoreError};

impl Provider {
    /// Whether a session still lacks the second factor its account requires ("require a
    /// second factor": a password alone never finishes a sign-in).
    pub fn second_factor_missing(&self, session: &Session) -> bool {
        self.second_factor_unproven(session) && session.second_factor_required
    }

    /// Whether a session would lack a second factor, were its account to require one.
    pub fn second_factor_unproven(&self, session: &Session) -> bool {
        self.passkeys.is_some() && !reaches_passkey(&session.acr)
    }

    /// Whether the request's `acr_values` ask for at least the passkey class (and passkeys are
    /// enabled, so that class is reachable).
    pub fn request_wants_passkey(&self, request: &AuthorizationRequest) -> bool {
        self.passkeys.is_some() && self.required_acr(request).is_some_and(reaches_passkey)
    }

    /// Whether the sign-in page should offer "confirm with your passkey" for this session: it
    /// is below the passkey class, the request or the account needs that class, the account
    /// has a passkey, and the request names no other citizen.
    pub async fn offers_second_factor(
        &self,
        request: &AuthorizationRequest,
        session: &Session,
    ) -> Result<bool, StoreError> {
        if self.passkeys.is_none() || reaches_passkey(&session.acr) {
            return Ok(false);
        }
        if request
            .hinted_sub
            .as_deref()
            .is_some_and(|sub| sub != session.account_id)
        {
            return Ok(false);
        }
        let needed = self.request_wants_passkey(request) || session.second_factor_required;
        if !needed {
            return Ok(false);
        }
        Ok(!self
            .store
            .passkeys_for_account(&session.account_id)
            .await?
            .is_empty())
    }

    /// Starts the session that follows a passkey authentication, replacing `previous` (a new
    /// id: no session fixation). A second factor adds to the password session it confirms
    /// (`pwd`, the passkey's `amr`, `mfa`); a passwordless sign-in stands alone.
    pub async fn passkey_session(
        &self,
        sign_in: &PasskeySignIn,
        previous: Option<&Session>,
    ) -> Result<NewSession, SignInError> {
        let usable = self
            .store
            .account(&sign_in.account_id)
            .await?
            .is_some_and(|account| !account.disabled);
        if !usable {
            tracing::info!("passkey sign-in refused: account missing or disabled");
            return Err(SignInError::Failed);
        }
        let context = match (sign_in.kind, previous) {
            (CeremonyKind::SecondFactor, Some(session))
                if session.account_id == sign_in.account_id =>
            {
                AuthContext::password_and_passkey(sign_in.amr.clone())
            }
            (CeremonyKind::SecondFactor, _) => return Err(SignInError::Failed),
            _ => AuthContext::passkey(sign_in.amr.clone()),
        };
        if let Some(session) = previous {
            self.end_session(session).await?;
        }
        Ok(self.start_session(&sign_in.account_id, &context).await?)
    }
}

fn reaches_passkey(session_acr: &str) -> bool {
    acr::rank(session_acr) >= acr::rank(acr::PASSKEY)
}
