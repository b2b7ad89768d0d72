//! E-signature sign-in (E-IMZO style): verification of an attached CMS/PKCS#7 SignedData that a
//! citizen made over a server challenge with a qualified certificate.
//!
//! The flow (`shared/reference/esign.md` §8): the caller Base64-decodes the posted signature
//! ([`decode_base64_pkcs7`]), extracts the signed challenge with the cheap
//! [`encapsulated_content`], consumes that challenge atomically in the database, and only then
//! runs a [`SignatureVerifier`]: [`NativeVerifier`] checks everything in-process against a
//! [`TrustStore`]; [`DelegateVerifier`] hands the check to a licensed e-imzo-server. Failures are
//! precise [`EsignFailure`] values for audit; the browser must only ever see a generic message.

pub mod algorithms;
mod certificate;
mod cms;
mod delegate;
mod error;
mod identity;
mod native;
mod path;
mod revocation;
mod trust_store;

#[cfg(test)]
mod tests;

use std::net::IpAddr;

use base64::Engine as _;

pub use algorithms::{AlgorithmRegistry, DigestAlgorithm, SignatureAlgorithm, VerifyError};
pub use cms::{MAX_PKCS7_LEN, encapsulated_content};
pub use delegate::{DelegateConfig, DelegateVerifier};
pub use error::EsignFailure;
pub use identity::{OID_ORGANIZATION_TIN, OID_PINFL, OID_UID, check_pinfl};
pub use native::{NativeVerifier, NativeVerifierConfig};
pub use revocation::{RevocationOptions, RevocationPolicy};
pub use trust_store::{TrustStore, TrustStoreError};

/// The signer of a verified sign-in signature.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifiedSigner {
    /// PINFL (`1.2.860.3.16.1.2`), exactly 14 digits: the account key.
    pub pinfl: String,
    /// Personal TIN (`UID`).
    pub personal_tin: Option<String>,
    /// Organisation TIN (`1.2.860.3.16.1.1`), on legal-entity certificates only.
    pub organization_tin: Option<String>,
    /// Organisation name (`O`).
    pub organization_name: Option<String>,
    /// Full name (`CN`).
    pub common_name: Option<String>,
    /// Issuer DN (RFC 4514 string), for audit.
    pub issuer_dn: String,
    /// Certificate serial number, lower-case hex, for audit.
    pub serial_hex: String,
    /// Lower-case hex SHA-256 of the signer certificate DER, for audit.
    pub certificate_sha256_hex: String,
    /// The `signingTime` signed attribute (Unix seconds), when present. Not authenticated by
    /// a timestamp authority: informative only.
    pub signing_time: Option<i64>,
}

/// Verifies a sign-in PKCS#7. The challenge check is NOT inside: the caller consumes the
/// challenge returned by [`encapsulated_content`] before calling `verify`.
#[async_trait::async_trait]
pub trait SignatureVerifier: Send + Sync {
    /// Verify the binary (BER or DER) PKCS#7 at time `now` (Unix seconds).
    async fn verify(
        &self,
        pkcs7_der_or_ber: &[u8],
        now: i64,
    ) -> Result<VerifiedSigner, EsignFailure>;

    /// Like `verify`, telling the verifier the end user's IP address (the delegate forwards it
    /// as `X-Real-IP`; the native verifier ignores it).
    async fn verify_for_client(
        &self,
        pkcs7_der_or_ber: &[u8],
        now: i64,
        client_ip: IpAddr,
    ) -> Result<VerifiedSigner, EsignFailure> {
        let _ = client_ip;
        self.verify(pkcs7_der_or_ber, now).await
    }
}

/// Decode the Base64 PKCS#7 the browser posts (standard alphabet; whitespace and line breaks,
/// as E-IMZO may emit, are ignored), enforcing [`MAX_PKCS7_LEN`] on the result.
pub fn decode_base64_pkcs7(text: &str) -> Result<Vec<u8>, EsignFailure> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.len() > MAX_PKCS7_LEN.div_ceil(3) * 4 {
        return Err(EsignFailure::TooLarge {
            limit: MAX_PKCS7_LEN,
        });
    }
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| EsignFailure::Malformed(format!("base64: {e}")))
}
