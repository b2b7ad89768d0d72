//! The rules a client file must follow, checked once at load time. Each failure names the field
//! it is about; `file.rs` adds the file name.

use std::net::IpAddr;

use url::{Host, Url};

use super::file::ClientFile;
use super::jwks::{self, ClientKeys};
use super::{AuthMethod, Client, GrantType, SecretDigest};
use crate::keys::SigningAlg;

/// A rule broken by one field of a client file.
#[derive(Debug)]
pub(super) struct FieldError {
    pub(super) field: &'static str,
    pub(super) message: String,
}

fn field_error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// Turns a parsed file into a client, enforcing every registration rule.
pub(super) fn build_client(raw: ClientFile) -> Result<Client, FieldError> {
    check_client_id(&raw.client_id)?;
    let client_name = client_name(raw.client_name, &raw.client_id)?;
    let grant_types = grant_types(raw.grant_types)?;
    let allows_code = grant_types.contains(&GrantType::AuthorizationCode);
    check_uris("redirect_uris", &raw.redirect_uris)?;
    check_uris("post_logout_redirect_uris", &raw.post_logout_redirect_uris)?;
    if allows_code && raw.redirect_uris.is_empty() {
        return Err(field_error(
            "redirect_uris",
            "at least one redirect URI is required when grant_types has authorization_code",
        ));
    }
    let scopes = scopes(&raw.scope, allows_code)?;
    let method = raw.token_endpoint_auth_method;
    if method == AuthMethod::None && grant_types.contains(&GrantType::ClientCredentials) {
        return Err(field_error(
            "grant_types",
            "client_credentials needs a client that authenticates; it is not allowed with \
             token_endpoint_auth_method = \"none\"",
        ));
    }
    let secret_digest = secret_digest(method, raw.client_secret_sha256.as_deref())?;
    let keys = keys(method, raw.jwks, raw.jwks_uri.as_deref())?;
    Ok(Client {
        client_id: raw.client_id,
        client_name,
        redirect_uris: raw.redirect_uris,
        post_logout_redirect_uris: raw.post_logout_redirect_uris,
        grant_types,
        auth_method: method,
        scopes,
        id_token_alg: raw
            .id_token_signed_response_alg
            .unwrap_or(SigningAlg::RS256),
        first_party: raw.first_party,
        secret_digest,
        keys,
    })
}

/// RFC 6749 Appendix A: `client-id = *VSCHAR`; we also refuse spaces and empty ids.
fn check_client_id(client_id: &str) -> Result<(), FieldError> {
    if client_id.is_empty() {
        return Err(field_error("client_id", "must not be empty"));
    }
    if client_id.len() > 255 {
        return Err(field_error("client_id", "must be at most 255 characters"));
    }
    if !client_id.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(field_error(
            "client_id",
            format!("{client_id:?} may contain only printable ASCII characters without spaces"),
        ));
    }
    Ok(())
}

fn client_name(name: Option<String>, client_id: &str) -> Result<String, FieldError> {
    match name {
        None => Ok(client_id.to_owned()),
        Some(name) if name.trim().is_empty() => {
            Err(field_error("client_name", "must not be blank"))
        }
        Some(name) => Ok(name),
    }
}

fn grant_types(mut grants: Vec<GrantType>) -> Result<Vec<GrantType>, FieldError> {
    let mut seen = Vec::with_capacity(grants.len());
    grants.retain(|g| {
        let first = !seen.contains(g);
        seen.push(*g);
        first
    });
    if grants.is_empty() {
        return Err(field_error(
            "grant_types",
            "must name at least one grant type",
        ));
    }
    if grants.contains(&GrantType::RefreshToken) && !grants.contains(&GrantType::AuthorizationCode)
    {
        return Err(field_error(
            "grant_types",
            "refresh_token is only issued with authorization_code, which is missing",
        ));
    }
    Ok(grants)
}

fn check_uris(field: &'static str, uris: &[String]) -> Result<(), FieldError> {
    uris.iter()
        .try_for_each(|uri| check_redirect_uri(uri).map_err(|m| field_error(field, m)))
}

/// A redirect (or post-logout redirect) URI: absolute, no fragment (RFC 6749 §3.1.2), `https`
/// except on the loopback interface, or a private-use scheme of a native app such as
/// `uz.gov.app:/callback` (RFC 8252 §7.1). No user name or password in it.
pub(super) fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let url = parse_uri(uri)?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(format!("{uri:?} must use https")),
        scheme if scheme.contains('.') => {}
        _ => {
            return Err(format!(
                "{uri:?} must use https (http only on localhost, or a private-use scheme with \
                 a dot such as uz.gov.app:/callback)"
            ));
        }
    }
    Ok(())
}

/// `jwks_uri`: fetched by the server, so `https` (or `http` on the loopback interface).
fn check_jwks_uri(uri: &str) -> Result<Url, String> {
    let url = parse_uri(uri)?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(format!("{uri:?} must use https")),
    }
}

fn parse_uri(uri: &str) -> Result<Url, String> {
    if uri.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{uri:?} must not be empty or contain spaces"));
    }
    let url = Url::parse(uri).map_err(|e| format!("{uri:?} is not an absolute URL: {e}"))?;
    if url.fragment().is_some() {
        return Err(format!("{uri:?} must not contain a fragment (#)"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{uri:?} must not contain a user name or password"));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Space-separated scope tokens (RFC 6749 §3.3: `1*NQCHAR`), duplicates dropped.
fn scopes(scope: &str, allows_code: bool) -> Result<Vec<String>, FieldError> {
    let mut scopes: Vec<String> = Vec::new();
    for token in scope.split(' ').filter(|t| !t.is_empty()) {
        let nqchar = |b: u8| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b);
        if !token.bytes().all(nqchar) {
            return Err(field_error(
                "scope",
                format!("{token:?} is not a valid scope name"),
            ));
        }
        if !scopes.iter().any(|s| s == token) {
            scopes.push(token.to_owned());
        }
    }
    if scopes.is_empty() {
        return Err(field_error("scope", "must name at least one scope"));
    }
    if allows_code && !scopes.iter().any(|s| s == "openid") {
        return Err(field_error(
            "scope",
            "must include openid when grant_types has authorization_code",
        ));
    }
    Ok(scopes)
}

fn secret_digest(
    method: AuthMethod,
    digest_hex: Option<&str>,
) -> Result<Option<SecretDigest>, FieldError> {
    const FIELD: &str = "client_secret_sha256";
    match (method.uses_secret(), digest_hex) {
        (true, None) => Err(field_error(
            FIELD,
            format!("is required with token_endpoint_auth_method = \"{method}\""),
        )),
        (false, Some(_)) => Err(field_error(
            FIELD,
            format!("is not used with token_endpoint_auth_method = \"{method}\"; remove it"),
        )),
        (false, None) => Ok(None),
        (true, Some(hex_digest)) if hex_digest.len() != 64 => Err(field_error(
            FIELD,
            "must be 64 hex characters (the SHA-256 digest of the secret)",
        )),
        (true, Some(hex_digest)) => SecretDigest::from_hex(hex_digest).map(Some).ok_or_else(|| {
            field_error(
                FIELD,
                "must be 64 hex characters (the SHA-256 digest of the secret)",
            )
        }),
    }
}

fn keys(
    method: AuthMethod,
    jwks: Option<serde_json::Value>,
    jwks_uri: Option<&str>,
) -> Result<Option<ClientKeys>, FieldError> {
    if method != AuthMethod::PrivateKeyJwt {
        let field = match (&jwks, jwks_uri) {
            (Some(_), _) => "jwks",
            (None, Some(_)) => "jwks_uri",
            (None, None) => return Ok(None),
        };
        return Err(field_error(
            field,
            format!("is only used with private_key_jwt, not \"{method}\"; remove it"),
        ));
    }
    match (jwks, jwks_uri) {
        (Some(_), Some(_)) => Err(field_error(
            "jwks_uri",
            "give either jwks or jwks_uri, not both",
        )),
        (None, None) => Err(field_error(
            "jwks",
            "private_key_jwt needs the client's public keys in jwks or jwks_uri",
        )),
        (Some(value), None) => jwks::parse_inline(value)
            .map(|set| Some(ClientKeys::Inline(set)))
            .map_err(|m| field_error("jwks", m)),
        (None, Some(uri)) => check_jwks_uri(uri)
            .map(|url| Some(ClientKeys::Remote(url)))
            .map_err(|m| field_error("jwks_uri", m)),
    }
}
