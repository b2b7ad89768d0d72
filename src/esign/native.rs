//! The in-process verifier: CMS checks, signer certificate, path, revocation and identity
//! (`shared/reference/esign.md` §8 steps 4–8).

use std::sync::{Arc, RwLock};

use rasn_cms::{SignerIdentifier, SignerInfo};

use super::algorithms::AlgorithmRegistry;
use super::certificate::ParsedCertificate;
use super::cms::{self, SignedMessage};
use super::identity::subject_identity;
use super::path::PathContext;
use super::revocation::{self, RevocationOptions};
use super::trust_store::TrustStore;
use super::{EsignFailure, SignatureVerifier, VerifiedSigner};

/// Settings of the native verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeVerifierConfig {
    /// Largest accepted distance between `signingTime` and `now` (E-IMZO status `-5`);
    /// `None` skips the check. Default 300 s.
    pub max_signing_time_skew_secs: Option<i64>,
    /// CRL policy. Default: a CRL is required for every issuer and a stale one fails closed.
    pub revocation: RevocationOptions,
    /// Maximum certificates in a path, trust anchor included. Default 5.
    pub max_path_depth: usize,
}

impl Default for NativeVerifierConfig {
    fn default() -> Self {
        Self {
            max_signing_time_skew_secs: Some(300),
            revocation: RevocationOptions::default(),
            max_path_depth: 5,
        }
    }
}

/// Verifies sign-in signatures in-process against a [`TrustStore`] and an
/// [`AlgorithmRegistry`].
#[derive(Debug)]
pub struct NativeVerifier {
    trust: RwLock<Arc<TrustStore>>,
    registry: Arc<AlgorithmRegistry>,
    config: NativeVerifierConfig,
}

impl NativeVerifier {
    /// A verifier over `trust` with the algorithms in `registry`.
    pub fn new(
        trust: TrustStore,
        registry: AlgorithmRegistry,
        config: NativeVerifierConfig,
    ) -> Self {
        Self {
            trust: RwLock::new(Arc::new(trust)),
            registry: Arc::new(registry),
            config,
        }
    }

    /// Swap in a freshly loaded trust store (e.g. on SIGHUP); verifications already running
    /// finish with the old one.
    pub fn replace_trust_store(&self, trust: TrustStore) {
        // A poisoned lock only means a writer panicked between two whole assignments.
        let mut guard = self
            .trust
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *guard = Arc::new(trust);
    }

    fn trust_store(&self) -> Arc<TrustStore> {
        let guard = self
            .trust
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(&guard)
    }

    /// The whole check, synchronously (it is CPU-only and fast: a few signature checks).
    pub fn verify_sync(&self, input: &[u8], now: i64) -> Result<VerifiedSigner, EsignFailure> {
        let message = cms::decode_signed_message(input)?;
        let signer = single_signer(&message)?;
        let attributes = cms::check_signed_attributes(signer, &message.content, &self.registry)?;
        let certificates = parse_certificates(&message.certificates)?;
        let leaf = locate_signer_certificate(&signer.sid, &certificates)?;
        cms::verify_signer_signature(
            signer,
            &attributes.signed_der,
            &leaf.spki_der,
            &self.registry,
        )?;
        self.check_signing_time(attributes.signing_time, now)?;

        let trust = self.trust_store();
        let context = PathContext {
            store: &trust,
            message_certificates: &certificates,
            registry: &self.registry,
            now,
            max_depth: self.config.max_path_depth,
        };
        let path = context.validate(leaf)?;
        revocation::check_path(&path, &trust, &self.registry, now, self.config.revocation)?;

        let identity = subject_identity(&leaf.cert.tbs_certificate.subject)?;
        Ok(VerifiedSigner {
            pinfl: identity.pinfl,
            personal_tin: identity.personal_tin,
            organization_tin: identity.organization_tin,
            organization_name: identity.organization_name,
            common_name: identity.common_name,
            issuer_dn: leaf.issuer_text(),
            serial_hex: leaf.serial_hex(),
            certificate_sha256_hex: leaf.sha256_hex(),
            signing_time: attributes.signing_time,
        })
    }

    fn check_signing_time(&self, signing_time: Option<i64>, now: i64) -> Result<(), EsignFailure> {
        match (self.config.max_signing_time_skew_secs, signing_time) {
            (Some(max), Some(signing_time)) if signing_time.abs_diff(now) > max.unsigned_abs() => {
                Err(EsignFailure::SigningTimeSkew { signing_time, now })
            }
            _ => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl SignatureVerifier for NativeVerifier {
    async fn verify(
        &self,
        pkcs7_der_or_ber: &[u8],
        now: i64,
    ) -> Result<VerifiedSigner, EsignFailure> {
        self.verify_sync(pkcs7_der_or_ber, now)
    }
}

fn single_signer(message: &SignedMessage) -> Result<&SignerInfo, EsignFailure> {
    match message.signers.as_slice() {
        [signer] => Ok(signer),
        signers => Err(EsignFailure::SignerCount(signers.len())),
    }
}

fn parse_certificates(certificates: &[Vec<u8>]) -> Result<Vec<ParsedCertificate>, EsignFailure> {
    certificates
        .iter()
        .map(|der| ParsedCertificate::from_der(der.clone()).map_err(EsignFailure::Malformed))
        .collect()
}

/// The message certificate named by the SignerIdentifier (RFC 5652 §5.3).
pub(crate) fn locate_signer_certificate<'a>(
    sid: &SignerIdentifier,
    certificates: &'a [ParsedCertificate],
) -> Result<&'a ParsedCertificate, EsignFailure> {
    let found = match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            let issuer = rasn::der::encode(&id.issuer)
                .map_err(|e| EsignFailure::Malformed(e.to_string()))?;
            let serial = rasn::der::encode(&id.serial_number)
                .map_err(|e| EsignFailure::Malformed(e.to_string()))?;
            certificates.iter().find(|c| {
                let own_serial =
                    x509_cert::der::Encode::to_der(&c.cert.tbs_certificate.serial_number);
                c.issuer_der == issuer && own_serial.is_ok_and(|s| s == serial)
            })
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => certificates
            .iter()
            .find(|c| c.subject_key_id.as_deref() == Some(ski.as_ref())),
    };
    found.ok_or(EsignFailure::SignerCertificateNotFound)
}
