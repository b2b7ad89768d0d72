//! SSO sessions and password sign-in.

use std::net::IpAddr;
use std::sync::Arc;

use super::provider::Provider;
use crate::auth::throttle::AttemptKeys;
use crate::auth::{AuthContext, PasswordVerification, normalize_login};
use crate::crypto::{time_ordered_token, token_hash};
use crate::store::{Account, Session, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown login, wrong password or disabled account: one answer for all three.
    #[error("sign-in failed")]
    Failed,
    #[error("too many attempts; wait {0} s")]
    Throttled(i64),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for SignInError {
    fn from(e: StoreError) -> Self {
        Self::Internal(e.to_string())
    }
}

/// Sessions this node opened or read for the authorization flow, by id hash (bounded, most
/// recent first; see `Provider::flow_session_from_cookie`).
pub type RecentSessions = quick_cache::sync::Cache<Vec<u8>, Arc<Session>>;

/// Session ids are `time_ordered_token()`s; anything much longer is not one of ours.
const MAX_SESSION_COOKIE_LEN: usize = 64;

/// The id hash of the session a cookie value names, when it could name one.
fn session_key(cookie_value: Option<&str>) -> Option<Vec<u8>> {
    cookie_value
        .filter(|value| !value.is_empty() && value.len() <= MAX_SESSION_COOKIE_LEN)
        .map(token_hash)
}

/// A freshly created session and the cookie value that names it.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie_value: String,
    pub session: Session,
}

impl Provider {
    /// Checks a login and password. Unknown logins cost the same Argon2 work as wrong
    /// passwords; failures are throttled per login and per address; a successful sign-in with
    /// outdated hash parameters or a legacy scheme stores the upgraded Argon2id hash.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn password_sign_in(
        &self,
        login: &str,
        password: String,
        address: Option<IpAddr>,
    ) -> Result<Account, SignInError> {
        let login = normalize_login(login);
        let keys = AttemptKeys::new(&login, address);
        let now = self.now();
        let reads = self.store.sign_in_reads(&login, keys.both()).await?;
        let throttle = self.throttle.check(&reads.throttles, &keys, now);
        if let Some(wait) = throttle.wait {
            return Err(SignInError::Throttled(wait));
        }
        let account = reads.account;
        let stored = account
            .as_ref()
            .filter(|a| !a.disabled)
            .and_then(|a| a.password_hash.clone());
        let verdict = self
            .passwords
            .verify(password, stored)
            .await
            .map_err(|e| SignInError::Internal(e.to_string()))?;
        match (verdict, account) {
            (PasswordVerification::Valid { rehash }, Some(account)) => {
                self.throttle
                    .record_success(self.store.as_ref(), &keys, &throttle)
                    .await?;
                // Compare-and-set: a password changed while this sign-in was verifying (an
                // administrator's reset, another sign-in's upgrade) is never overwritten.
                if let (Some(new), Some(old)) = (rehash, account.password_hash.as_deref()) {
                    self.store
                        .replace_password_hash(&account.id, old, &new, now)
                        .await?;
                }
                // The consent page that often follows shows the account's name.
                self.remember_account(account.clone());
                Ok(account)
            }
            _ => {
                self.throttle
                    .record_failure(self.store.as_ref(), &keys, now)
                    .await?;
                tracing::info!("password sign-in failed");
                Err(SignInError::Failed)
            }
        }
    }

    /// Starts a new SSO session (always a new id: no session fixation).
    pub async fn start_session(
        &self,
        account_id: &str,
        context: &AuthContext,
    ) -> Result<NewSession, StoreError> {
        let now = self.now();
        let cookie_value = time_ordered_token(now);
        let mut session = Session {
            id_hash: token_hash(&cookie_value),
            account_id: account_id.to_owned(),
            auth_time: now,
            amr: context.amr_string(),
            acr: context.acr.clone(),
            created_at: now,
            expires_at: now + self.lifetimes.session,
            second_factor_required: false,
        };
        session.second_factor_required = self.store.create_session(&session).await?;
        self.recent_sessions
            .insert(session.id_hash.clone(), Arc::new(session.clone()));
        Ok(NewSession {
            cookie_value,
            session,
        })
    }

    /// The live session named by a session cookie value, if any, as the database has it now.
    pub async fn session_from_cookie(
        &self,
        cookie_value: Option<&str>,
    ) -> Result<Option<Session>, StoreError> {
        match session_key(cookie_value) {
            Some(id_hash) => self.store.session(&id_hash, self.now()).await,
            None => Ok(None),
        }
    }

    /// The live session named by a session cookie value, for the authorization flow: this
    /// node's copy when it opened or read the session before (`recent_sessions`), else the
    /// database's. A copy may outlive the session (ended on another node) or miss that its
    /// account now requires a second factor; the write that issues a code checks both again
    /// (`GrantStore::create_grant_with_code`), so a copy decides nothing the database would
    /// refuse. Pages that act on the account read the database (`session_from_cookie`).
    pub async fn flow_session_from_cookie(
        &self,
        cookie_value: Option<&str>,
    ) -> Result<Option<Session>, StoreError> {
        let Some(id_hash) = session_key(cookie_value) else {
            return Ok(None);
        };
        let now = self.now();
        if let Some(session) = self.recent_sessions.get(&id_hash)
            && session.expires_at > now
        {
            return Ok(Some(Session::clone(&session)));
        }
        let session = self.store.session(&id_hash, now).await?;
        if let Some(session) = &session {
            self.recent_sessions
                .insert(id_hash, Arc::new(session.clone()));
        }
        Ok(session)
    }

    /// Drops this node's copy of a session (it ended, or the database refused it).
    pub fn forget_session(&self, id_hash: &[u8]) {
        self.recent_sessions.remove(id_hash);
    }

    pub async fn end_session(&self, session: &Session) -> Result<(), StoreError> {
        self.forget_session(&session.id_hash);
        self.store.delete_session(&session.id_hash).await
    }
}
