//! Compact JWS (RFC 7515 §3.1, §7.1) over JSON claims: signing with an active key and
//! verifying against the published ones. Malformed input is an error, never a panic.

use ring::rand::SystemRandom;
use serde_json::{Map, Value, json};

use super::material::SigningKeyPair;
use super::public_key::PublicKey;
use super::{KeyError, SigningAlg, VerifiedJws};
use crate::crypto::{b64url, b64url_decode};

/// `BASE64URL(header) . BASE64URL(claims) . BASE64URL(signature)` with protected header
/// `{"alg","typ","kid"}`.
pub(super) fn sign(
    pair: &SigningKeyPair,
    kid: &str,
    typ: &str,
    claims: &Value,
    rng: &SystemRandom,
) -> Result<String, KeyError> {
    if !claims.is_object() {
        return Err(KeyError::ClaimsNotObject);
    }
    let header = json!({ "alg": pair.alg().as_str(), "typ": typ, "kid": kid });
    let signing_input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let signature = pair.sign(rng, signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", b64url(&signature)))
}

/// Checks `token`'s signature with the key `find_key` returns for the header's `kid`, then
/// decodes the claims (RFC 7515 §5.2). The header `alg` must be the key's algorithm, so a
/// token cannot pick a weaker algorithm (`none`, HMAC) for a published key.
pub(super) fn verify<'k>(
    token: &str,
    find_key: impl FnOnce(&str) -> Option<&'k PublicKey>,
) -> Result<VerifiedJws, KeyError> {
    let mut segments = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(KeyError::MalformedToken(
            "expected three dot-separated segments",
        ));
    };
    let header = ProtectedHeader::decode(header_b64)?;
    let key = find_key(&header.kid).ok_or(KeyError::UnknownKid)?;
    if key.alg() != header.alg {
        return Err(KeyError::AlgMismatch {
            header: header.alg,
            key: key.alg(),
        });
    }
    let signature = b64url_decode(signature_b64)
        .ok_or(KeyError::MalformedToken("signature is not base64url"))?;
    let signing_input = token
        .get(..header_b64.len() + 1 + payload_b64.len())
        .ok_or(KeyError::MalformedToken("truncated"))?;
    if !key.verify(signing_input.as_bytes(), &signature) {
        return Err(KeyError::BadSignature);
    }
    Ok(VerifiedJws {
        typ: header.typ,
        kid: header.kid,
        alg: header.alg,
        claims: decode_claims(payload_b64)?,
    })
}

/// The protected header members this provider understands.
struct ProtectedHeader {
    alg: SigningAlg,
    kid: String,
    typ: Option<String>,
}

impl ProtectedHeader {
    /// Decodes and checks the header: a JSON object with a supported `alg`, a string `kid`,
    /// an optional string `typ`, and no `crit` (we implement no extensions, RFC 7515 §4.1.11).
    fn decode(header_b64: &str) -> Result<Self, KeyError> {
        let bytes =
            b64url_decode(header_b64).ok_or(KeyError::MalformedToken("header is not base64url"))?;
        let header: Map<String, Value> = serde_json::from_slice(&bytes)
            .map_err(|_| KeyError::MalformedToken("header is not a JSON object"))?;
        if header.contains_key("crit") {
            return Err(KeyError::UnsupportedCriticalHeader);
        }
        let alg = string_member(&header, "alg")?
            .ok_or(KeyError::MalformedToken("header has no alg"))?
            .parse()?;
        let kid = string_member(&header, "kid")?
            .ok_or(KeyError::MalformedToken("header has no kid"))?
            .to_owned();
        let typ = string_member(&header, "typ")?.map(str::to_owned);
        Ok(Self { alg, kid, typ })
    }
}

/// The string value of header member `name`, `None` if absent; any other type is malformed.
fn string_member<'h>(
    header: &'h Map<String, Value>,
    name: &str,
) -> Result<Option<&'h str>, KeyError> {
    match header.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(KeyError::MalformedToken("header member is not a string")),
    }
}

/// The payload as a JSON object (a JWT Claims Set, RFC 7519 §7.2 step 10).
fn decode_claims(payload_b64: &str) -> Result<Value, KeyError> {
    let bytes =
        b64url_decode(payload_b64).ok_or(KeyError::MalformedToken("payload is not base64url"))?;
    let claims: Map<String, Value> = serde_json::from_slice(&bytes)
        .map_err(|_| KeyError::MalformedToken("payload is not a JSON object"))?;
    Ok(Value::Object(claims))
}
