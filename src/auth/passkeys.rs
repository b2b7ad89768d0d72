//! Passkeys: WebAuthn registration and authentication ceremonies (webauthn-rs), with their
//! state kept in the database so any provider node can finish what another started.
//!
//! The relying-party id is the issuer's host and the only accepted origin is the issuer's
//! origin. Passkeys always require user verification; attestation is not asked for (see
//! SECURITY.md). Every ceremony is single use and bound to one browser: its id is handed to the
//! browser, only its SHA-256 is stored, and finishing needs the same binding (the CSRF cookie
//! for a sign-in, the session for a registration or a second factor).

mod ceremony;
#[cfg(test)]
mod tests;

use url::Url;
use webauthn_rs::prelude::{Uuid, Webauthn, WebauthnBuilder, WebauthnError};

pub use ceremony::{Answer, CeremonyKind, PasskeySignIn, Started};

use crate::crypto::sha256;

/// How long a browser has to answer a ceremony (the WebAuthn timeout we send is the same).
pub const CEREMONY_LIFETIME_SECONDS: i64 = 300;

/// Longest passkey name kept (in characters).
pub const MAX_NAME_CHARS: usize = 60;

/// Why passkeys cannot be set up for an issuer.
#[derive(Debug, thiserror::Error)]
pub enum PasskeySetupError {
    #[error(
        "the issuer host {0} is an IP address, which WebAuthn forbids as a relying-party id: use a \
         domain name in the issuer (for example http://localhost:8080), or turn passkeys off with \
         passkeys.enabled = false (YAGONA_PASSKEYS__ENABLED=false)"
    )]
    IpAddressHost(String),
    #[error("the issuer {0} has no host name to use as the WebAuthn relying-party id")]
    NoHost(String),
    #[error("WebAuthn refused the relying party {rp_id} at {origin}: {source}")]
    Webauthn {
        rp_id: String,
        origin: String,
        source: WebauthnError,
    },
}

/// Why a ceremony failed. Everything but `Internal` is the browser's or the citizen's doing and
/// is answered with 400 and [`PasskeyError::code`].
#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error("this passkey request has expired or was already used; start again")]
    CeremonyNotFound,
    #[error("this passkey is not registered with Yagona ID")]
    UnknownCredential,
    #[error("the passkey response was refused: {0}")]
    Rejected(String),
    #[error("the passkey's signature counter went backwards: it may have been cloned")]
    PossibleClone,
    #[error("this account has no passkey yet")]
    NoPasskeys,
    #[error("this passkey is already registered")]
    AlreadyRegistered,
    #[error("sign-in failed")]
    AccountUnavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

impl PasskeyError {
    /// A short stable code for the browser (its script shows a translated message for it).
    pub fn code(&self) -> &'static str {
        match self {
            Self::CeremonyNotFound => "expired",
            Self::UnknownCredential => "unknown_credential",
            Self::Rejected(_) | Self::PossibleClone | Self::AccountUnavailable => "rejected",
            Self::NoPasskeys => "no_passkeys",
            Self::AlreadyRegistered => "already_registered",
            Self::Internal(_) => "internal",
        }
    }

    /// Whether the fault is ours (answered 500, details only in the log).
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Internal(_))
    }
}

impl From<crate::store::StoreError> for PasskeyError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::Internal(e.to_string())
    }
}

/// The WebAuthn relying party of this provider.
#[derive(Debug, Clone)]
pub struct Passkeys {
    webauthn: Webauthn,
}

impl Passkeys {
    /// The relying party for `issuer`: its host as rp id, its origin as the only origin.
    pub fn for_issuer(issuer: &Url) -> Result<Self, PasskeySetupError> {
        let rp_id = match issuer.host() {
            Some(url::Host::Domain(domain)) => domain.to_owned(),
            Some(host) => return Err(PasskeySetupError::IpAddressHost(host.to_string())),
            None => return Err(PasskeySetupError::NoHost(issuer.to_string())),
        };
        let origin = issuer.origin().ascii_serialization();
        let refused = |source| PasskeySetupError::Webauthn {
            rp_id: rp_id.clone(),
            origin: origin.clone(),
            source,
        };
        let origin_url = Url::parse(&origin).map_err(|_| refused(WebauthnError::Configuration))?;
        let webauthn = WebauthnBuilder::new(&rp_id, &origin_url)
            .map_err(refused)?
            .rp_name("Yagona ID")
            .timeout(std::time::Duration::from_secs(
                CEREMONY_LIFETIME_SECONDS.unsigned_abs(),
            ))
            .build()
            .map_err(refused)?;
        Ok(Self { webauthn })
    }
}

/// The WebAuthn user handle of an account: 16 bytes derived from its id, stable, and
/// revealing nothing (account ids are opaque already, but need not be 16 bytes).
pub fn user_handle(account_id: &str) -> Uuid {
    let digest = sha256(format!("yagona-webauthn-user:{account_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// A passkey name as kept: trimmed, control characters removed, at most
/// [`MAX_NAME_CHARS`] characters; `fallback` when nothing is left.
pub fn clean_name(name: &str, fallback: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    if cleaned.is_empty() {
        fallback.to_owned()
    } else {
        cleaned
    }
}

/// RFC 8176 `amr` values for a passkey use: `hwk` for a device-bound key, `swk` for one that
/// may be synced (backup eligible), then `user` when the authenticator verified the citizen.
pub fn passkey_amr(backup_eligible: bool, user_verified: bool) -> Vec<String> {
    let mut amr = vec![if backup_eligible { "swk" } else { "hwk" }.to_owned()];
    if user_verified {
        amr.push("user".to_owned());
    }
    amr
}
