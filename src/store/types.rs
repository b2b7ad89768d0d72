//! Row types shared by both backends. Times are Unix seconds; hashes are SHA-256 bytes;
//! lists (scopes, amr) are space-separated strings.

use crate::clock::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Account {
    /// Stable opaque identifier; the `sub` claim.
    pub id: String,
    /// Lower-case.
    pub username: Option<String>,
    /// Lower-case.
    pub email: Option<String>,
    pub email_verified: bool,
    /// E.164, e.g. `+998901234567`.
    pub phone: Option<String>,
    pub phone_verified: bool,
    /// 14 digits.
    pub pinfl: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub middle_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthdate: Option<String>,
    /// PHC string (`$argon2id$…`), or a legacy scheme.
    pub password_hash: Option<String>,
    /// The citizen's chosen UI language (`uz`, `uz-Cyrl`, `ru`, `en`).
    pub locale: Option<String>,
    pub disabled: bool,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
}

/// A browser's single sign-on session.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub id_hash: Vec<u8>,
    pub account_id: String,
    pub auth_time: UnixTime,
    /// Space-separated RFC 8176 values, e.g. `pwd`.
    pub amr: String,
    pub acr: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    /// Whether the account requires a second factor: read with the session, not stored in it.
    pub second_factor_required: bool,
}

/// A validated authorization request waiting for sign-in or consent. `params` is the JSON of
/// `crate::oidc::authorize::AuthorizationRequest`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PendingAuthRequest {
    pub id_hash: Vec<u8>,
    pub params: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
}

/// What a citizen granted one client: the parent of codes, refresh and access tokens.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Grant {
    pub id: String,
    pub client_id: String,
    pub account_id: String,
    pub scope: String,
    pub auth_time: UnixTime,
    pub amr: String,
    pub acr: String,
    /// Hash of the SSO session the grant came from (for logout).
    pub session_id_hash: Option<Vec<u8>>,
    pub created_at: UnixTime,
    /// Absolute end of the grant: no refresh token outlives it.
    pub expires_at: UnixTime,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuthorizationCode {
    pub code_hash: Vec<u8>,
    pub grant_id: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub nonce: Option<String>,
    /// PKCE S256 challenge; `None` when the request carried none.
    pub code_challenge: Option<String>,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub used: bool,
}

// Returned once per token request and never stored, so the variants' size difference is
// irrelevant.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRedemption {
    /// First redemption within its lifetime; the grant is live.
    Redeemed {
        code: AuthorizationCode,
        grant: Grant,
    },
    /// The code was redeemed before: the caller revokes `grant_id`.
    Replayed { grant_id: String },
    /// Unknown or expired code.
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RefreshToken {
    pub token_hash: Vec<u8>,
    pub grant_id: String,
    pub created_at: UnixTime,
    pub expires_at: UnixTime,
    pub used: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshRotation {
    /// The old token was live (so was its grant) and is now used; the new one is stored.
    Rotated,
    /// The old token had been used already: the caller revokes `grant_id`.
    Reused { grant_id: String },
    /// Unknown, expired, or its grant revoked or expired.
    Invalid,
}

/// What a revocation names: one access token (by `jti`) or every access token of a grant.
pub mod revoked {
    pub const ACCESS_TOKEN: &str = "access_token";
    pub const GRANT: &str = "grant";
}

/// A recorded revocation (table `token_revocations`). Access tokens are self-contained JWTs,
/// so this row is how every provider node learns that one must be refused; after
/// `expires_at` no token it covers can still be alive and the row is purged.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Revocation {
    /// [`revoked::ACCESS_TOKEN`] or [`revoked::GRANT`].
    pub kind: String,
    /// The token's `jti` or the grant's id.
    pub id: String,
    pub revoked_at: UnixTime,
    pub expires_at: UnixTime,
}

/// What a password sign-in reads before it checks the password
/// (`AccountStore::sign_in_reads`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SignInReads {
    /// The account the login names, if any.
    pub account: Option<Account>,
    /// The throttle records of the attempt's keys that exist.
    pub throttles: Vec<ThrottleRecord>,
}

impl SignInReads {
    /// Gathers the rows of `SELECT_SIGN_IN_READS`: each names the account (the same in every
    /// row) and one throttle record, when there are any.
    pub(crate) fn from_rows(
        rows: impl IntoIterator<Item = (Option<Account>, Option<ThrottleRecord>)>,
    ) -> Self {
        let mut reads = Self::default();
        for (account, throttle) in rows {
            if reads.account.is_none() {
                reads.account = account;
            }
            reads.throttles.extend(throttle);
        }
        reads
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ThrottleRecord {
    pub key: String,
    pub failures: i64,
    pub last_failure: UnixTime,
    pub locked_until: UnixTime,
}
