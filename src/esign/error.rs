//! Why an e-signature was refused: one precise reason per check, for audit and support staff.
//!
//! The browser only ever sees one generic message; `code()` goes into the audit record and
//! `esign_status()` gives the E-IMZO-style status number support staff know from e-imzo-server
//! (`-10` signature, `-11` certificate, `-12` validity at the time, `-5` signing time, `-1`
//! certificate status; see `shared/reference/esign.md` §3).

/// The reason a PKCS#7 sign-in signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EsignFailure {
    /// Not decodable as BER/DER CMS, or a structure inside it is wrong.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// The input is larger than the accepted maximum.
    #[error("signature larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The ContentInfo is not `signedData`.
    #[error("ContentInfo is not signedData")]
    NotSignedData,
    /// No attached content, or content not of type `id-data`.
    #[error("no attached id-data content")]
    NoContent,
    /// Exactly one SignerInfo is accepted.
    #[error("expected exactly one signer, found {0}")]
    SignerCount(usize),
    /// The SignerInfo has no signed attributes.
    #[error("signer has no signed attributes")]
    NoSignedAttributes,
    /// The `contentType` signed attribute is missing or not `id-data`.
    #[error("contentType attribute missing or not id-data")]
    ContentTypeMismatch,
    /// The `messageDigest` signed attribute is missing or does not match the content.
    #[error("messageDigest attribute missing or does not match the content")]
    MessageDigestMismatch,
    /// The signer's signature over the signed attributes does not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// An algorithm OID (digest, signature or key) is not in the registry.
    #[error("unsupported algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// The `signingTime` attribute is further from `now` than the allowed skew.
    #[error("signingTime {signing_time} too far from now {now}")]
    SigningTimeSkew { signing_time: i64, now: i64 },
    /// The signer certificate is not in the message.
    #[error("signer certificate not found in the message")]
    SignerCertificateNotFound,
    /// A certificate in the path expired before `now`.
    #[error("certificate expired: {0}")]
    CertificateExpired(String),
    /// A certificate in the path is not valid yet at `now`.
    #[error("certificate not yet valid: {0}")]
    CertificateNotYetValid(String),
    /// No path to a trust anchor (no issuer, bad issuer signature, depth exceeded, ...).
    #[error("untrusted certificate chain: {0}")]
    UntrustedChain(String),
    /// An issuing certificate lacks `basicConstraints cA=TRUE` (or its path length is exceeded).
    #[error("issuer is not a CA: {0}")]
    NotACa(String),
    /// Key usage does not allow the use (leaf signing or issuer certificate signing).
    #[error("key usage does not allow this use: {0}")]
    KeyUsage(String),
    /// The certificate serial is listed in its issuer's CRL.
    #[error("certificate revoked: {0}")]
    Revoked(String),
    /// The only CRL for an issuer is past its `nextUpdate` (or before its `thisUpdate`).
    #[error("CRL not current: {0}")]
    CrlStale(String),
    /// A CRL does not verify against its issuer, or has unsupported critical extensions.
    #[error("CRL invalid: {0}")]
    CrlInvalid(String),
    /// Revocation checking is required but no CRL from this issuer is loaded.
    #[error("no CRL available for issuer {0}")]
    CrlUnavailable(String),
    /// The signer certificate has no PINFL (`1.2.860.3.16.1.2`).
    #[error("certificate has no PINFL")]
    MissingPinfl,
    /// The PINFL is not exactly 14 ASCII digits.
    #[error("PINFL is not 14 digits")]
    MalformedPinfl,
    /// The delegated e-imzo-server refused the signature with this status.
    #[error("e-imzo-server refused with status {status}: {message}")]
    DelegateRejected { status: i32, message: String },
    /// The delegated e-imzo-server could not be reached or answered nonsense.
    #[error("e-imzo-server unavailable: {0}")]
    DelegateUnavailable(String),
}

impl EsignFailure {
    /// Short stable code for audit records (never shown to the browser).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::TooLarge { .. } => "too_large",
            Self::NotSignedData => "not_signed_data",
            Self::NoContent => "no_content",
            Self::SignerCount(_) => "signer_count",
            Self::NoSignedAttributes => "no_signed_attributes",
            Self::ContentTypeMismatch => "content_type_mismatch",
            Self::MessageDigestMismatch => "message_digest_mismatch",
            Self::BadSignature => "bad_signature",
            Self::UnsupportedAlgorithm(_) => "unsupported_algorithm",
            Self::SigningTimeSkew { .. } => "signing_time_skew",
            Self::SignerCertificateNotFound => "signer_certificate_not_found",
            Self::CertificateExpired(_) => "certificate_expired",
            Self::CertificateNotYetValid(_) => "certificate_not_yet_valid",
            Self::UntrustedChain(_) => "untrusted_chain",
            Self::NotACa(_) => "not_a_ca",
            Self::KeyUsage(_) => "key_usage",
            Self::Revoked(_) => "revoked",
            Self::CrlStale(_) => "crl_stale",
            Self::CrlInvalid(_) => "crl_invalid",
            Self::CrlUnavailable(_) => "crl_unavailable",
            Self::MissingPinfl => "missing_pinfl",
            Self::MalformedPinfl => "malformed_pinfl",
            Self::DelegateRejected { .. } => "delegate_rejected",
            Self::DelegateUnavailable(_) => "delegate_unavailable",
        }
    }

    /// The E-IMZO-like status number (e-imzo-server `/backend/auth` README §2.2.2).
    ///
    /// `-10` the signature, `-11` the certificate, `-12` certificate validity at the time,
    /// `-5` signing time, `-1` certificate status (revocation). Structural problems with the
    /// message count as `-10`; a delegate refusal keeps the server's own status.
    pub fn esign_status(&self) -> i32 {
        match self {
            Self::Malformed(_)
            | Self::TooLarge { .. }
            | Self::NotSignedData
            | Self::NoContent
            | Self::SignerCount(_)
            | Self::NoSignedAttributes
            | Self::ContentTypeMismatch
            | Self::MessageDigestMismatch
            | Self::BadSignature
            | Self::UnsupportedAlgorithm(_) => -10,
            Self::SigningTimeSkew { .. } => -5,
            Self::CertificateExpired(_) | Self::CertificateNotYetValid(_) => -12,
            Self::SignerCertificateNotFound
            | Self::UntrustedChain(_)
            | Self::NotACa(_)
            | Self::KeyUsage(_)
            | Self::MissingPinfl
            | Self::MalformedPinfl => -11,
            Self::Revoked(_)
            | Self::CrlStale(_)
            | Self::CrlInvalid(_)
            | Self::CrlUnavailable(_)
            | Self::DelegateUnavailable(_) => -1,
            Self::DelegateRejected { status, .. } => *status,
        }
    }
}
