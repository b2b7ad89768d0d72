//! The provider: everything the protocol needs, built once at start-up and shared.

use std::sync::Arc;

use crate::auth::{LoginThrottle, Passkeys, PasswordHasher};
use crate::clients::{ClientAuthenticator, ClientRegistry};
use crate::clock::{SharedClock, UnixTime};
use crate::config::{Config, TokenLifetimes};
use crate::keys::KeyRing;
use crate::store::{Grant, SharedStore};

use super::access_tokens::AccessTokens;
use super::pending::PendingRequests;
use super::session::RecentSessions;
use super::userinfo::AccountClaimsCache;

#[derive(Debug, Clone)]
pub struct Provider {
    /// The issuer identifier, without a trailing slash.
    pub issuer: String,
    pub store: SharedStore,
    pub keys: Arc<KeyRing>,
    pub clients: Arc<ClientRegistry>,
    pub client_auth: Arc<ClientAuthenticator>,
    pub passwords: PasswordHasher,
    pub throttle: LoginThrottle,
    pub lifetimes: TokenLifetimes,
    pub clock: SharedClock,
    /// The discovery document, serialised once.
    pub discovery_json: Arc<str>,
    /// Cookies carry `Secure` and the `__Host-` prefix when the issuer is https.
    pub secure_cookies: bool,
    /// The authentication context classes this deployment can reach (sign-in methods
    /// enabled), weakest first.
    pub available_acrs: Vec<&'static str>,
    /// The WebAuthn relying party, when passkeys are enabled.
    pub passkeys: Option<Arc<Passkeys>>,
    /// The e-signature verifier, when e-signature sign-in is enabled.
    pub esign: Option<Arc<super::esign_login::EsignLogin>>,
    /// Verified access tokens and the revocations this node knows of.
    pub access_tokens: Arc<AccessTokens>,
    /// Accounts recently read by UserInfo.
    pub userinfo_accounts: Arc<AccountClaimsCache>,
    /// The grant behind each live refresh token this node issued or rotated, by the token's
    /// storage key, so a refresh does not read it again. Only a grant's fixed fields are used from
    /// here: whether it is revoked or ended is decided by the rotation statement itself.
    pub refresh_grants: Arc<RefreshGrants>,
    /// The pending requests this node saved, parsed (see `super::pending`).
    pub pending_requests: Arc<PendingRequests>,
    /// The sessions this node opened or read for the authorization flow (see
    /// `super::session`).
    pub recent_sessions: Arc<RecentSessions>,
}

/// Grants of live refresh tokens, by the tokens' storage key (`token_hash`, as in the
/// database; bounded, most recent first).
pub type RefreshGrants = quick_cache::sync::Cache<Vec<u8>, Arc<Grant>>;

impl Provider {
    pub fn new(
        config: &Config,
        store: SharedStore,
        keys: Arc<KeyRing>,
        clients: Arc<ClientRegistry>,
        passwords: PasswordHasher,
        clock: SharedClock,
    ) -> Self {
        let issuer = config.issuer();
        let discovery_json = super::discovery::document(&issuer, &keys).into();
        let caches = &config.caches;
        Self {
            access_tokens: Arc::new(AccessTokens::new(&issuer, caches.verified_access_tokens)),
            userinfo_accounts: Arc::new(AccountClaimsCache::new(
                caches.userinfo_account_seconds,
                caches.verified_access_tokens,
            )),
            refresh_grants: Arc::new(RefreshGrants::new(caches.verified_access_tokens.max(1))),
            pending_requests: Arc::new(PendingRequests::new(caches.verified_access_tokens.max(1))),
            recent_sessions: Arc::new(RecentSessions::new(caches.verified_access_tokens.max(1))),
            secure_cookies: issuer.starts_with("https://"),
            issuer,
            store,
            client_auth: Arc::new(ClientAuthenticator::new(clients.clone())),
            keys,
            clients,
            passwords,
            throttle: LoginThrottle::new(config.login_throttle.clone()),
            lifetimes: config.tokens.clone(),
            clock,
            discovery_json,
            available_acrs: vec![crate::auth::login::acr::PASSWORD],
            passkeys: None,
            esign: None,
        }
    }

    /// Enables passkeys: sign-in and second factor with WebAuthn, reaching the passkey class.
    pub fn with_passkeys(mut self, passkeys: Passkeys) -> Self {
        self.passkeys = Some(Arc::new(passkeys));
        let passkey = crate::auth::login::acr::PASSKEY;
        if !self.available_acrs.contains(&passkey) {
            self.available_acrs.push(passkey);
        }
        self
    }

    /// Enables e-signature sign-in, the strongest class on the ladder.
    pub fn with_esign(mut self, esign: super::esign_login::EsignLogin) -> Self {
        self.esign = Some(Arc::new(esign));
        let class = crate::auth::login::acr::ESIGN;
        if !self.available_acrs.contains(&class) {
            self.available_acrs.push(class);
        }
        self
    }

    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}
