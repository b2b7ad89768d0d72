//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3,
//! OIDC Core §9).

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::assertion::{self, Assertion};
use super::jwks::JwksCache;
use super::{AuthMethod, Client, ClientRegistry};
use crate::clock::UnixTime;
use crate::store::{ReplayStore, StoreError};

/// Standard base64 as in HTTP Basic credentials, with or without padding.
const BASIC_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What the token/introspection/revocation request carried, extracted by the HTTP layer.
#[derive(Default, Clone)]
pub struct ClientCredentials {
    /// `Authorization: Basic` id and secret, already form-urldecoded per RFC 6749 §2.3.1
    /// (see [`ClientCredentials::from_basic_header`]).
    pub basic: Option<(String, String)>,
    /// The `client_id` form parameter.
    pub client_id: Option<String>,
    /// The `client_secret` form parameter (`client_secret_post`).
    pub client_secret: Option<String>,
    /// `client_assertion_type` and `client_assertion` form parameters (`private_key_jwt`).
    pub client_assertion_type: Option<String>,
    pub client_assertion: Option<String>,
}

impl ClientCredentials {
    /// Parses an `Authorization` header value `Basic base64(id ":" secret)`, where id and
    /// secret are each `application/x-www-form-urlencoded` (RFC 6749 §2.3.1).
    pub fn from_basic_header(value: &str) -> Result<(String, String), ClientAuthError> {
        let malformed = || ClientAuthError::MalformedBasicHeader;
        let (scheme, encoded) = value.trim().split_once(' ').ok_or_else(malformed)?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(malformed());
        }
        let decoded = BASIC_BASE64
            .decode(encoded.trim_start())
            .map_err(|_| malformed())?;
        let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
        let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
        let id = form_urldecode(id).ok_or_else(malformed)?;
        let secret = form_urldecode(secret).ok_or_else(malformed)?;
        if id.is_empty() {
            return Err(malformed());
        }
        Ok((id, secret))
    }

    /// The one authentication method the request used, with its credential (RFC 6749 §2.3:
    /// never more than one method).
    fn presented(&self) -> Result<Presented<'_>, ClientAuthError> {
        let assertion_used =
            self.client_assertion.is_some() || self.client_assertion_type.is_some();
        let used = [
            self.basic.is_some(),
            self.client_secret.is_some(),
            assertion_used,
        ];
        if used.iter().filter(|used| **used).count() > 1 {
            return Err(ClientAuthError::MultipleMethods);
        }
        if let Some((_, secret)) = &self.basic {
            return Ok(Presented::Basic(secret));
        }
        if let Some(secret) = &self.client_secret {
            return Ok(Presented::Post(secret));
        }
        if assertion_used {
            return assertion::parse_assertion(self).map(|a| Presented::Assertion(Box::new(a)));
        }
        if self.client_id.is_some() {
            return Ok(Presented::ClientIdOnly);
        }
        Err(ClientAuthError::NoCredentials)
    }

    /// The client the request claims to be; checked against the `client_id` parameter.
    fn claimed_client_id(&self, presented: &Presented<'_>) -> Result<String, ClientAuthError> {
        let claimed = match (presented, &self.basic) {
            (Presented::Basic(_), Some((id, _))) => Some(id.clone()),
            (Presented::Assertion(assertion), _) => assertion
                .unverified_issuer
                .clone()
                .or_else(|| self.client_id.clone()),
            _ => self.client_id.clone(),
        };
        let claimed = claimed.ok_or(ClientAuthError::MissingClientId)?;
        match &self.client_id {
            Some(form_id) if *form_id != claimed => Err(ClientAuthError::ClientIdMismatch),
            _ => Ok(claimed),
        }
    }
}

/// The credential of the one authentication method a request used.
enum Presented<'a> {
    Basic(&'a str),
    Post(&'a str),
    /// Boxed: a parsed JWT header is large.
    Assertion(Box<Assertion<'a>>),
    ClientIdOnly,
}

impl Presented<'_> {
    fn method(&self) -> AuthMethod {
        match self {
            Self::Basic(_) => AuthMethod::ClientSecretBasic,
            Self::Post(_) => AuthMethod::ClientSecretPost,
            Self::Assertion(_) => AuthMethod::PrivateKeyJwt,
            Self::ClientIdOnly => AuthMethod::None,
        }
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |present: bool| if present { Some("..") } else { None };
        f.debug_struct("ClientCredentials")
            .field("basic_id", &self.basic.as_ref().map(|(id, _)| id))
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(self.client_secret.is_some()))
            .field("client_assertion_type", &self.client_assertion_type)
            .field(
                "client_assertion",
                &redacted(self.client_assertion.is_some()),
            )
            .finish()
    }
}

/// Decodes one `application/x-www-form-urlencoded` value: `+` is a space, `%XX` a byte. A `%`
/// not followed by two hex digits is kept as is (as browsers and the `url` crate do).
fn form_urldecode(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = (b == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (b, escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (other, None) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Why a client could not be authenticated. Every variant is OAuth `invalid_client`
/// (RFC 6749 §5.2: 401 with `WWW-Authenticate` when the request used HTTP Basic), except
/// [`ClientAuthError::Store`], which is a server error. `Display` is the precise reason, for
/// logs; [`ClientAuthError::description`] is what the client may be told.
#[derive(Debug, thiserror::Error)]
pub enum ClientAuthError {
    #[error("malformed Authorization: Basic header")]
    MalformedBasicHeader,
    #[error("no client credentials and no client_id")]
    NoCredentials,
    #[error("more than one client authentication method in one request")]
    MultipleMethods,
    #[error("client_id missing")]
    MissingClientId,
    #[error("client_id parameter differs from the authenticated client")]
    ClientIdMismatch,
    #[error("unknown client {0:?}")]
    UnknownClient(String),
    #[error("client {client_id:?} is registered for {registered}, but used {used}")]
    MethodMismatch {
        client_id: String,
        registered: AuthMethod,
        used: AuthMethod,
    },
    #[error("wrong secret for client {0:?}")]
    WrongSecret(String),
    #[error("client_assertion_type is not {}", assertion::JWT_BEARER)]
    AssertionType,
    #[error("malformed client assertion: {0}")]
    MalformedAssertion(String),
    #[error("client assertion signed with {0:?}, which is not allowed")]
    AlgorithmNotAllowed(jsonwebtoken::Algorithm),
    #[error("no key of client {0:?} verifies its assertion")]
    BadSignature(String),
    #[error("keys of client {client_id:?} unavailable: {reason}")]
    JwksUnavailable { client_id: String, reason: String },
    /// A signed assertion whose claims are not acceptable; the text says which.
    #[error("{0}")]
    InvalidAssertion(&'static str),
    #[error("replay check failed: {0}")]
    Store(#[from] StoreError),
}

impl ClientAuthError {
    /// The `error_description` safe to return to the client: no secrets, and the same text
    /// for an unknown client as for a known client with wrong credentials.
    pub fn description(&self) -> &'static str {
        match self {
            Self::MalformedBasicHeader => "malformed HTTP Basic client credentials",
            Self::NoCredentials => "client authentication is required",
            Self::MultipleMethods => "more than one client authentication method was used",
            Self::MissingClientId => "client_id is required",
            Self::ClientIdMismatch => "client_id does not match the client credentials",
            Self::AssertionType => {
                "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            }
            Self::MalformedAssertion(_) => "client_assertion is not a valid signed JWT",
            Self::AlgorithmNotAllowed(_) => {
                "client_assertion must be signed with RS256, PS256 or ES256"
            }
            Self::InvalidAssertion(reason) => reason,
            Self::UnknownClient(_)
            | Self::MethodMismatch { .. }
            | Self::WrongSecret(_)
            | Self::BadSignature(_)
            | Self::JwksUnavailable { .. }
            | Self::Store(_) => "client authentication failed",
        }
    }

    /// True when the failure is ours rather than the client's (the replay store is down):
    /// answer `500 server_error`, not `invalid_client`.
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Store(_))
    }
}

/// Authenticates clients against the registry.
#[derive(Debug)]
pub struct ClientAuthenticator {
    registry: Arc<ClientRegistry>,
    jwks: JwksCache,
}

impl ClientAuthenticator {
    pub fn new(registry: Arc<ClientRegistry>) -> Self {
        Self {
            registry,
            jwks: JwksCache::new(),
        }
    }

    pub fn registry(&self) -> &ClientRegistry {
        &self.registry
    }

    /// RFC 6749 §2.3, OIDC Core §9: exactly one method per request, and it must be the
    /// client's registered `token_endpoint_auth_method`. `audiences` are the values a
    /// `private_key_jwt` assertion's `aud` may name: the issuer and the endpoint URL.
    pub async fn authenticate(
        &self,
        creds: &ClientCredentials,
        audiences: &[&str],
        replay: &(dyn ReplayStore + Sync),
        now: UnixTime,
    ) -> Result<Arc<Client>, ClientAuthError> {
        let presented = creds.presented()?;
        let client_id = creds.claimed_client_id(&presented)?;
        let client = self
            .registry
            .get(&client_id)
            .ok_or(ClientAuthError::UnknownClient(client_id))?;
        let method = presented.method();
        if client.auth_method != method {
            return Err(ClientAuthError::MethodMismatch {
                client_id: client.client_id.clone(),
                registered: client.auth_method,
                used: method,
            });
        }
        match presented {
            Presented::Basic(secret) | Presented::Post(secret) => check_secret(&client, secret)?,
            Presented::Assertion(assertion) => {
                let verifier = assertion::Verifier {
                    jwks: &self.jwks,
                    audiences,
                    replay,
                    now,
                };
                verifier.verify(&assertion, &client).await?;
            }
            Presented::ClientIdOnly => {}
        }
        Ok(client)
    }
}

/// Compares SHA-256 digests in constant time.
fn check_secret(client: &Client, presented: &str) -> Result<(), ClientAuthError> {
    if client
        .secret_digest()
        .is_some_and(|digest| digest.matches(presented))
    {
        Ok(())
    } else {
        Err(ClientAuthError::WrongSecret(client.client_id.clone()))
    }
}
