//! Public keys as kept in memory for verification, their JWK form (RFC 7517, RFC 7518 §6) and
//! their RFC 7638 thumbprint, which is the `kid`.

use ring::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde_json::json;

use super::SigningAlg;
use crate::crypto::{b64url, sha256};

/// First octet of an uncompressed elliptic-curve point (SEC 1 §2.3.3).
const UNCOMPRESSED_POINT_TAG: u8 = 0x04;

/// The public half of a signing key, extracted once at load time.
pub(super) enum PublicKey {
    /// Modulus and exponent, big-endian without leading zeros.
    Rsa(RsaPublicKeyComponents<Vec<u8>>),
    /// The uncompressed P-256 point `04 || x || y`.
    Ec(UnparsedPublicKey<Vec<u8>>),
}

impl PublicKey {
    /// An ES256 verification key from an uncompressed P-256 point.
    pub(super) fn ec(uncompressed_point: Vec<u8>) -> Self {
        Self::Ec(UnparsedPublicKey::new(
            &ECDSA_P256_SHA256_FIXED,
            uncompressed_point,
        ))
    }

    pub(super) fn alg(&self) -> SigningAlg {
        match self {
            Self::Rsa(_) => SigningAlg::RS256,
            Self::Ec(_) => SigningAlg::ES256,
        }
    }

    /// Whether `signature` is this key's JWS signature over `message`.
    pub(super) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Rsa(components) => components
                .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
                .is_ok(),
            Self::Ec(key) => key.verify(message, signature).is_ok(),
        }
    }

    /// The RFC 7638 JWK thumbprint, used as `kid`.
    pub(super) fn thumbprint(&self) -> String {
        match self {
            Self::Rsa(components) => rsa_thumbprint(&b64url(&components.n), &b64url(&components.e)),
            Self::Ec(key) => {
                let (x, y) = ec_coordinates(key.as_ref());
                ec_thumbprint(&b64url(x), &b64url(y))
            }
        }
    }

    /// The public JWK for the JWKS, with `kid`, `use: "sig"` and `alg`.
    pub(super) fn jwk(&self, kid: &str) -> serde_json::Value {
        let alg = self.alg().as_str();
        match self {
            Self::Rsa(components) => json!({
                "kty": "RSA",
                "kid": kid,
                "use": "sig",
                "alg": alg,
                "n": b64url(&components.n),
                "e": b64url(&components.e),
            }),
            Self::Ec(key) => {
                let (x, y) = ec_coordinates(key.as_ref());
                json!({
                    "kty": "EC",
                    "kid": kid,
                    "use": "sig",
                    "alg": alg,
                    "crv": "P-256",
                    "x": b64url(x),
                    "y": b64url(y),
                })
            }
        }
    }
}

/// Thumbprint of an RSA JWK from its base64url `n` and `e` (RFC 7638 §3.2: required members
/// `e`, `kty`, `n`, in that order, no whitespace).
pub(super) fn rsa_thumbprint(n: &str, e: &str) -> String {
    b64url(&sha256(
        format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#).as_bytes(),
    ))
}

/// Thumbprint of a P-256 JWK from its base64url `x` and `y` (RFC 7638 §3.2: `crv`, `kty`,
/// `x`, `y`).
pub(super) fn ec_thumbprint(x: &str, y: &str) -> String {
    b64url(&sha256(
        format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#).as_bytes(),
    ))
}

/// Splits an uncompressed point into its equal-length `x` and `y` coordinates (for P-256,
/// 32 octets each as RFC 7518 §6.2.1.2 requires).
fn ec_coordinates(point: &[u8]) -> (&[u8], &[u8]) {
    let coordinates = point
        .strip_prefix(&[UNCOMPRESSED_POINT_TAG])
        .unwrap_or(point);
    coordinates.split_at(coordinates.len() / 2)
}
