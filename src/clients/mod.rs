//! The relying parties (agency portals and apps) that may use Yagona ID, and how they prove who
//! they are at the token, introspection and revocation endpoints.
//!
//! Clients are registered statically: one TOML file per client in a directory (default
//! `clients/`, see `clients/README.md`), using the RFC 7591 client metadata names. The files are
//! read and validated once at start-up ([`ClientRegistry::load_dir`]); any error stops start-up
//! and names the file and the field. [`add_client`] writes a new file for `yagona clients add`.
//!
//! Client authentication (RFC 6749 §2.3, OIDC Core §9) is done by [`ClientAuthenticator`]:
//! `client_secret_basic`, `client_secret_post`, `private_key_jwt` (RFC 7523) and `none` for
//! public clients.

mod add;
mod assertion;
mod auth;
mod file;
mod jwks;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use serde::Deserialize;

use crate::keys::SigningAlg;
pub use add::{NewClient, add_client};
pub use auth::{ClientAuthError, ClientAuthenticator, ClientCredentials};
pub use file::ClientFileError;
use jwks::ClientKeys;

/// A registered client, validated.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    /// Shown to citizens on the consent page.
    pub client_name: String,
    /// Compared by exact string match (OAuth 2.0 Security BCP §4.1.3).
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
    /// How the client authenticates at the token endpoint.
    pub auth_method: AuthMethod,
    /// The scopes the client may ask for.
    pub scopes: Vec<String>,
    /// The algorithm of the ID tokens issued to this client.
    pub id_token_alg: SigningAlg,
    /// First-party portals skip the consent page.
    pub first_party: bool,
    secret_digest: Option<SecretDigest>,
    keys: Option<ClientKeys>,
}

impl Client {
    /// Parses and validates one client file's text. `file` only names the source in errors.
    pub fn from_toml(file: &Path, text: &str) -> Result<Self, ClientFileError> {
        file::parse_client(file, text)
    }

    /// Replaces the registered secret with `secret` (its SHA-256 digest is kept). Meant for
    /// tests and tools that build clients in code; files carry `client_secret_sha256` instead.
    pub fn with_secret(mut self, secret: &str) -> Self {
        self.secret_digest = Some(SecretDigest::of(secret));
        self
    }

    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    pub fn allows_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// Exact string comparison, no normalisation (RFC 6749 §3.1.2.3, OAuth 2.0 Security BCP).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|u| u == uri)
    }

    /// Exact string comparison (OIDC RP-Initiated Logout §3).
    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|u| u == uri)
    }

    /// A public client cannot keep a secret (RFC 6749 §2.1): it authenticates with `none`.
    pub fn is_public(&self) -> bool {
        self.auth_method == AuthMethod::None
    }

    pub(crate) fn secret_digest(&self) -> Option<&SecretDigest> {
        self.secret_digest.as_ref()
    }

    pub(crate) fn keys(&self) -> Option<&ClientKeys> {
        self.keys.as_ref()
    }
}

/// The SHA-256 digest of a client secret. Its `Debug` output hides the bytes.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SecretDigest([u8; 32]);

impl SecretDigest {
    pub(crate) fn of(secret: &str) -> Self {
        let mut digest = [0u8; 32];
        digest.copy_from_slice(&crate::crypto::sha256(secret.as_bytes()));
        Self(digest)
    }

    /// Parses 64 hex characters (either case).
    pub(crate) fn from_hex(hex_digest: &str) -> Option<Self> {
        let mut digest = [0u8; 32];
        hex::decode_to_slice(hex_digest, &mut digest).ok()?;
        Some(Self(digest))
    }

    pub(crate) fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Constant-time comparison with the digest of a presented secret.
    pub(crate) fn matches(&self, presented_secret: &str) -> bool {
        crate::crypto::constant_time_eq(&Self::of(presented_secret).0, &self.0)
    }
}

impl fmt::Debug for SecretDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretDigest(..)")
    }
}

/// An OAuth grant type a client may use (RFC 7591 `grant_types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

impl GrantType {
    pub const ALL: [Self; 3] = [
        Self::AuthorizationCode,
        Self::RefreshToken,
        Self::ClientCredentials,
    ];

    /// The name used in client files and in the token request's `grant_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
        }
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GrantType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| format!("unknown grant type {s:?}"))
    }
}

/// How a client authenticates at the token endpoint (RFC 7591 `token_endpoint_auth_method`,
/// OIDC Core §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    PrivateKeyJwt,
    None,
}

impl AuthMethod {
    pub const ALL: [Self; 4] = [
        Self::ClientSecretBasic,
        Self::ClientSecretPost,
        Self::PrivateKeyJwt,
        Self::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
        }
    }

    /// Whether the method proves possession of a shared secret.
    pub fn uses_secret(self) -> bool {
        matches!(self, Self::ClientSecretBasic | Self::ClientSecretPost)
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuthMethod {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| format!("unknown token endpoint auth method {s:?}"))
    }
}

/// Every registered client, by `client_id`. Built once at start-up, read-only afterwards.
#[derive(Debug, Default)]
pub struct ClientRegistry {
    clients: HashMap<String, Arc<Client>>,
}

impl ClientRegistry {
    /// Reads every `*.toml` file in `dir` (other files are ignored). A missing directory gives
    /// an empty registry; any invalid file, or a `client_id` used twice, is an error naming the
    /// file and the field.
    pub fn load_dir(dir: &Path) -> Result<Self, ClientFileError> {
        file::load_dir(dir)
    }

    /// A registry of the given clients; a later duplicate `client_id` replaces an earlier one.
    pub fn from_clients(clients: Vec<Client>) -> Self {
        let clients = clients
            .into_iter()
            .map(|c| (c.client_id.clone(), Arc::new(c)))
            .collect();
        Self { clients }
    }

    pub fn get(&self, client_id: &str) -> Option<Arc<Client>> {
        self.clients.get(client_id).cloned()
    }

    /// Every client, sorted by `client_id`.
    pub fn all(&self) -> Vec<Arc<Client>> {
        let mut all: Vec<_> = self.clients.values().cloned().collect();
        all.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        all
    }

    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}
