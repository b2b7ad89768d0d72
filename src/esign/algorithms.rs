//! Algorithm registry keyed by OID (`shared/reference/esign.md` §11).
//!
//! One registry verifies CMS signatures, certificate signatures and CRL signatures. It holds an
//! explicit allow-list: an OID that was not registered is refused, never guessed. The national
//! O'z DSt 1092/1106 algorithms can be added later as one more `DigestAlgorithm` and
//! `SignatureAlgorithm` registration.

use std::collections::HashMap;
use std::sync::Arc;

use ring::signature as ring_sig;
use rsa::pkcs1::{RsaPssParams, RsaPublicKey};
use x509_cert::der::Decode;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoRef};

/// `sha256` (RFC 5754).
pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// `sha384` (RFC 5754).
pub const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
/// `sha512` (RFC 5754).
pub const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
/// `id-ecPublicKey` (RFC 5480).
pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` named curve (RFC 5480).
pub const CURVE_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `secp384r1` named curve (RFC 5480).
pub const CURVE_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// `ecdsa-with-SHA256` (RFC 5758).
pub const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `ecdsa-with-SHA384` (RFC 5758).
pub const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// `rsaEncryption` (RFC 8017); CMS may use it as the signature algorithm (RFC 3370 §3.2).
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `sha256WithRSAEncryption` (RFC 8017 appendix C).
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption`.
pub const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption`.
pub const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
/// `id-RSASSA-PSS` (RFC 4055).
pub const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// `id-mgf1` (RFC 4055).
pub const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");

/// Smallest accepted RSA modulus.
pub const MIN_RSA_BITS: usize = 2048;

/// Why a signature check failed inside an algorithm implementation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The key or algorithm parameters are not ones this implementation accepts.
    #[error("unsupported algorithm or parameters: {0}")]
    Unsupported(String),
    /// The public key could not be parsed.
    #[error("malformed public key")]
    MalformedKey,
    /// The signature is wrong.
    #[error("signature does not verify")]
    BadSignature,
}

/// A message digest identified by one OID.
pub trait DigestAlgorithm: Send + Sync {
    /// The digest algorithm OID.
    fn oid(&self) -> ObjectIdentifier;
    /// The digest of `data`.
    fn digest(&self, data: &[u8]) -> Vec<u8>;
}

/// A signature scheme identified by SPKI and signature-algorithm OIDs.
pub trait SignatureAlgorithm: Send + Sync {
    /// SubjectPublicKeyInfo algorithm OIDs this implementation verifies with.
    fn key_oids(&self) -> &[ObjectIdentifier];
    /// Signature algorithm OIDs this implementation verifies.
    fn sig_oids(&self) -> &[ObjectIdentifier];
    /// Verify `sig` over the exact signed bytes `msg` (DER signed attributes, a TBSCertificate
    /// or a TBSCertList) with the key in `spki_der` and the DER AlgorithmIdentifier `sig_alg_der`.
    fn verify(
        &self,
        spki_der: &[u8],
        sig_alg_der: &[u8],
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), VerifyError>;
}

/// The allow-list of digest and signature algorithms.
#[derive(Clone, Default)]
pub struct AlgorithmRegistry {
    digests: HashMap<ObjectIdentifier, Arc<dyn DigestAlgorithm>>,
    signatures: HashMap<ObjectIdentifier, Arc<dyn SignatureAlgorithm>>,
}

impl std::fmt::Debug for AlgorithmRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlgorithmRegistry")
            .field("digests", &self.digests.keys().collect::<Vec<_>>())
            .field("signatures", &self.signatures.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl AlgorithmRegistry {
    /// An empty registry: every OID is refused.
    pub fn empty() -> Self {
        Self::default()
    }

    /// SHA-256/384/512, ECDSA P-256/P-384 with SHA-2, RSA PKCS#1 v1.5 and PSS (≥ 2048 bits).
    pub fn with_defaults() -> Self {
        let mut registry = Self::empty();
        registry.register_digest(Arc::new(RingDigest::sha256()));
        registry.register_digest(Arc::new(RingDigest::sha384()));
        registry.register_digest(Arc::new(RingDigest::sha512()));
        registry.register_signature(Arc::new(RingEcdsa));
        registry.register_signature(Arc::new(RingRsaPkcs1));
        registry.register_signature(Arc::new(RingRsaPss));
        registry
    }

    /// Allow one more digest algorithm.
    pub fn register_digest(&mut self, digest: Arc<dyn DigestAlgorithm>) {
        self.digests.insert(digest.oid(), digest);
    }

    /// Allow one more signature algorithm, under each of its signature OIDs.
    pub fn register_signature(&mut self, signature: Arc<dyn SignatureAlgorithm>) {
        for oid in signature.sig_oids() {
            self.signatures.insert(*oid, Arc::clone(&signature));
        }
    }

    /// The digest algorithm registered for `oid`.
    pub fn digest(&self, oid: &ObjectIdentifier) -> Option<&dyn DigestAlgorithm> {
        self.digests.get(oid).map(|d| d.as_ref())
    }

    /// Verify `sig` over `msg` with the key in `spki_der` and the algorithm `sig_alg_der`,
    /// choosing the implementation by the signature and key OIDs.
    pub fn verify(
        &self,
        spki_der: &[u8],
        sig_alg_der: &[u8],
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), VerifyError> {
        let sig_oid = parse_sig_alg(sig_alg_der)?.oid;
        let spki =
            SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|_| VerifyError::MalformedKey)?;
        let key_oid = spki.algorithm.oid;
        let algorithm = self
            .signature(&sig_oid, &key_oid)
            .ok_or_else(|| VerifyError::Unsupported(format!("{sig_oid} with key {key_oid}")))?;
        algorithm.verify(spki_der, sig_alg_der, msg, sig)
    }

    /// The signature algorithm registered for `sig_oid`, if it also accepts `key_oid`.
    pub fn signature(
        &self,
        sig_oid: &ObjectIdentifier,
        key_oid: &ObjectIdentifier,
    ) -> Option<&dyn SignatureAlgorithm> {
        self.signatures
            .get(sig_oid)
            .filter(|s| s.key_oids().contains(key_oid))
            .map(|s| s.as_ref())
    }
}

/// SHA-2 digests backed by `ring`.
pub struct RingDigest {
    oid: ObjectIdentifier,
    algorithm: &'static ring::digest::Algorithm,
}

impl RingDigest {
    /// SHA-256.
    pub fn sha256() -> Self {
        Self {
            oid: SHA256,
            algorithm: &ring::digest::SHA256,
        }
    }
    /// SHA-384.
    pub fn sha384() -> Self {
        Self {
            oid: SHA384,
            algorithm: &ring::digest::SHA384,
        }
    }
    /// SHA-512.
    pub fn sha512() -> Self {
        Self {
            oid: SHA512,
            algorithm: &ring::digest::SHA512,
        }
    }
}

impl DigestAlgorithm for RingDigest {
    fn oid(&self) -> ObjectIdentifier {
        self.oid
    }
    fn digest(&self, data: &[u8]) -> Vec<u8> {
        ring::digest::digest(self.algorithm, data).as_ref().to_vec()
    }
}

/// ECDSA over P-256 and P-384 with SHA-256/384 (RFC 5758), signatures DER `Ecdsa-Sig-Value`.
pub struct RingEcdsa;

impl SignatureAlgorithm for RingEcdsa {
    fn key_oids(&self) -> &[ObjectIdentifier] {
        &[EC_PUBLIC_KEY]
    }
    fn sig_oids(&self) -> &[ObjectIdentifier] {
        &[ECDSA_SHA256, ECDSA_SHA384]
    }
    fn verify(
        &self,
        spki_der: &[u8],
        sig_alg_der: &[u8],
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), VerifyError> {
        let sig_alg = parse_sig_alg(sig_alg_der)?;
        let spki =
            SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|_| VerifyError::MalformedKey)?;
        let curve = spki
            .algorithm
            .parameters_oid()
            .map_err(|_| VerifyError::MalformedKey)?;
        let algorithm: &'static ring_sig::EcdsaVerificationAlgorithm = match (curve, sig_alg.oid) {
            (CURVE_P256, ECDSA_SHA256) => &ring_sig::ECDSA_P256_SHA256_ASN1,
            (CURVE_P256, ECDSA_SHA384) => &ring_sig::ECDSA_P256_SHA384_ASN1,
            (CURVE_P384, ECDSA_SHA256) => &ring_sig::ECDSA_P384_SHA256_ASN1,
            (CURVE_P384, ECDSA_SHA384) => &ring_sig::ECDSA_P384_SHA384_ASN1,
            (curve, sig) => {
                return Err(VerifyError::Unsupported(format!(
                    "curve {curve} with {sig}"
                )));
            }
        };
        let point = spki
            .subject_public_key
            .as_bytes()
            .ok_or(VerifyError::MalformedKey)?;
        ring_sig::UnparsedPublicKey::new(algorithm, point)
            .verify(msg, sig)
            .map_err(|_| VerifyError::BadSignature)
    }
}

/// RSASSA-PKCS1-v1_5 with SHA-256/384/512 (RFC 8017 §8.2), moduli of 2048 to 8192 bits.
pub struct RingRsaPkcs1;

impl SignatureAlgorithm for RingRsaPkcs1 {
    fn key_oids(&self) -> &[ObjectIdentifier] {
        &[RSA_ENCRYPTION]
    }
    fn sig_oids(&self) -> &[ObjectIdentifier] {
        &[SHA256_WITH_RSA, SHA384_WITH_RSA, SHA512_WITH_RSA]
    }
    fn verify(
        &self,
        spki_der: &[u8],
        sig_alg_der: &[u8],
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), VerifyError> {
        let sig_alg = parse_sig_alg(sig_alg_der)?;
        let algorithm: &'static ring_sig::RsaParameters = match sig_alg.oid {
            SHA256_WITH_RSA => &ring_sig::RSA_PKCS1_2048_8192_SHA256,
            SHA384_WITH_RSA => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
            SHA512_WITH_RSA => &ring_sig::RSA_PKCS1_2048_8192_SHA512,
            other => return Err(VerifyError::Unsupported(other.to_string())),
        };
        verify_rsa(algorithm, spki_der, msg, sig)
    }
}

/// RSASSA-PSS (RFC 4055) with MGF1 over the same SHA-2 hash and salt length = hash length.
pub struct RingRsaPss;

impl SignatureAlgorithm for RingRsaPss {
    fn key_oids(&self) -> &[ObjectIdentifier] {
        &[RSA_ENCRYPTION, RSASSA_PSS]
    }
    fn sig_oids(&self) -> &[ObjectIdentifier] {
        &[RSASSA_PSS]
    }
    fn verify(
        &self,
        spki_der: &[u8],
        sig_alg_der: &[u8],
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), VerifyError> {
        let sig_alg = parse_sig_alg(sig_alg_der)?;
        let params_der = sig_alg
            .parameters
            .as_ref()
            .map(x509_cert::der::Encode::to_der)
            .transpose()
            .map_err(|_| VerifyError::Unsupported("PSS parameters".into()))?
            .ok_or_else(|| VerifyError::Unsupported("PSS without parameters".into()))?;
        let params = RsaPssParams::from_der(&params_der)
            .map_err(|_| VerifyError::Unsupported("PSS parameters".into()))?;
        let (algorithm, hash_len): (&'static ring_sig::RsaParameters, u8) = match params.hash.oid {
            SHA256 => (&ring_sig::RSA_PSS_2048_8192_SHA256, 32),
            SHA384 => (&ring_sig::RSA_PSS_2048_8192_SHA384, 48),
            SHA512 => (&ring_sig::RSA_PSS_2048_8192_SHA512, 64),
            other => return Err(VerifyError::Unsupported(format!("PSS hash {other}"))),
        };
        let mgf_hash = params.mask_gen.parameters.as_ref().map(|p| p.oid);
        if params.mask_gen.oid != MGF1
            || mgf_hash != Some(params.hash.oid)
            || params.salt_len != hash_len
        {
            return Err(VerifyError::Unsupported(
                "PSS parameters other than MGF1(hash), salt = hash length".into(),
            ));
        }
        verify_rsa(algorithm, spki_der, msg, sig)
    }
}

fn parse_sig_alg(sig_alg_der: &[u8]) -> Result<AlgorithmIdentifierOwned, VerifyError> {
    AlgorithmIdentifierOwned::from_der(sig_alg_der)
        .map_err(|_| VerifyError::Unsupported("malformed AlgorithmIdentifier".into()))
}

fn verify_rsa(
    algorithm: &'static ring_sig::RsaParameters,
    spki_der: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> Result<(), VerifyError> {
    let spki =
        SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|_| VerifyError::MalformedKey)?;
    let key_der = spki
        .subject_public_key
        .as_bytes()
        .ok_or(VerifyError::MalformedKey)?;
    let key = RsaPublicKey::from_der(key_der).map_err(|_| VerifyError::MalformedKey)?;
    let modulus_bits = rsa_modulus_bits(key.modulus.as_bytes());
    if modulus_bits < MIN_RSA_BITS {
        return Err(VerifyError::Unsupported(format!(
            "RSA key of {modulus_bits} bits"
        )));
    }
    ring_sig::UnparsedPublicKey::new(algorithm, key_der)
        .verify(msg, sig)
        .map_err(|_| VerifyError::BadSignature)
}

/// Bit length of a big-endian unsigned integer (leading zero bytes ignored).
fn rsa_modulus_bits(modulus: &[u8]) -> usize {
    let significant: &[u8] = match modulus.iter().position(|b| *b != 0) {
        Some(start) => &modulus[start..],
        None => return 0,
    };
    let leading = significant
        .first()
        .map_or(0, |b| b.leading_zeros() as usize);
    significant.len() * 8 - leading
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulus_bits_ignores_leading_zero_bytes() {
        assert_eq!(rsa_modulus_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(rsa_modulus_bits(&[0x01]), 1);
        assert_eq!(rsa_modulus_bits(&[0, 0]), 0);
    }

    #[test]
    fn defaults_allow_sha2_and_refuse_unknown_oids() {
        let registry = AlgorithmRegistry::with_defaults();
        assert!(registry.digest(&SHA256).is_some());
        assert!(
            registry
                .digest(&ObjectIdentifier::new_unwrap("1.2.860.3.15.1.3.2.1.1"))
                .is_none()
        );
        assert!(registry.signature(&ECDSA_SHA256, &EC_PUBLIC_KEY).is_some());
        assert!(registry.signature(&ECDSA_SHA256, &RSA_ENCRYPTION).is_none());
        assert!(
            registry
                .signature(&SHA256_WITH_RSA, &RSA_ENCRYPTION)
                .is_some()
        );
        assert!(registry.signature(&RSASSA_PSS, &RSA_ENCRYPTION).is_some());
    }

    #[test]
    fn sha256_digest_matches_known_vector() {
        let digest = RingDigest::sha256().digest(b"abc");
        assert_eq!(
            hex::encode(digest),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
