//! Compact JWS (RFC 7515 §3.1, §7.1) over JSON claims: signing with an active key and
//! verifying against the published ones. Malformed input is an error, never a panic.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use serde::Serialize;
use serde_json::{Map, Value};

use super::material::SigningKeyPair;
use super::public_key::PublicKey;
use super::{KeyError, SigningAlg, VerifiedJws};
use crate::crypto::b64url_decode;

/// The protected header we sign with.
#[derive(Serialize)]
struct SigningHeader<'a> {
    alg: &'a str,
    kid: &'a str,
    typ: &'a str,
}

/// Room for a typical token, so that building it does not reallocate.
const TOKEN_CAPACITY: usize = 768;

/// `BASE64URL(header) . BASE64URL(claims) . BASE64URL(signature)` with protected header
/// `{"alg","kid","typ"}`, built in one buffer. `claims` must serialise to a JSON object.
pub(super) fn sign<C: Serialize + ?Sized>(
    pair: &SigningKeyPair,
    kid: &str,
    typ: &str,
    claims: &C,
    rng: &SystemRandom,
) -> Result<String, KeyError> {
    let payload = serde_json::to_vec(claims).map_err(|_| KeyError::ClaimsNotObject)?;
    if payload.first() != Some(&b'{') {
        return Err(KeyError::ClaimsNotObject);
    }
    let header = SigningHeader {
        alg: pair.alg().as_str(),
        kid,
        typ,
    };
    let header = serde_json::to_vec(&header).map_err(|_| KeyError::ClaimsNotObject)?;
    let mut token = String::with_capacity(TOKEN_CAPACITY);
    URL_SAFE_NO_PAD.encode_string(&header, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let signature = pair.sign(rng, token.as_bytes())?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
    Ok(token)
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
