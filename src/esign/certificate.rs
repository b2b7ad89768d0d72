//! X.509 certificates and CRLs as the verifier needs them: parsed once with `x509-cert`, with
//! the exact signed bytes (TBS) kept aside so signatures are checked over what was signed.

use x509_cert::Certificate;
use x509_cert::crl::CertificateList;
use x509_cert::der::oid::{AssociatedOid, ObjectIdentifier};
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier,
};

use super::algorithms::{AlgorithmRegistry, VerifyError};

/// Extensions whose meaning the path validation understands or may safely ignore when
/// critical. Anything else marked critical makes the certificate unusable (RFC 5280 §4.2).
const KNOWN_CRITICAL_EXTENSIONS: [&str; 6] = [
    "2.5.29.19", // basicConstraints
    "2.5.29.15", // keyUsage
    "2.5.29.37", // extKeyUsage
    "2.5.29.32", // certificatePolicies (we accept any policy)
    "2.5.29.17", // subjectAltName
    "2.5.29.14", // subjectKeyIdentifier
];

/// A certificate parsed for path validation.
#[derive(Debug, Clone)]
pub(crate) struct ParsedCertificate {
    pub der: Vec<u8>,
    pub cert: Certificate,
    tbs_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    pub subject_der: Vec<u8>,
    pub spki_der: Vec<u8>,
    sig_alg_der: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
    pub basic_constraints: Option<BasicConstraints>,
    pub key_usage: Option<KeyUsage>,
    pub subject_key_id: Option<Vec<u8>>,
    pub authority_key_id: Option<Vec<u8>>,
    pub unknown_critical_extension: Option<ObjectIdentifier>,
}

impl ParsedCertificate {
    /// Parse a DER certificate; any decoding problem is reported as text.
    pub fn from_der(der: Vec<u8>) -> Result<Self, String> {
        let cert = Certificate::from_der(&der).map_err(|e| format!("certificate: {e}"))?;
        let tbs_der = first_element(&der)?.to_vec();
        let tbs = &cert.tbs_certificate;
        let mut parsed = Self {
            tbs_der,
            issuer_der: to_der(&tbs.issuer)?,
            subject_der: to_der(&tbs.subject)?,
            spki_der: to_der(&tbs.subject_public_key_info)?,
            sig_alg_der: to_der(&cert.signature_algorithm)?,
            not_before: unix_seconds(tbs.validity.not_before),
            not_after: unix_seconds(tbs.validity.not_after),
            basic_constraints: None,
            key_usage: None,
            subject_key_id: None,
            authority_key_id: None,
            unknown_critical_extension: None,
            der,
            cert: cert.clone(),
        };
        for extension in cert.tbs_certificate.extensions.iter().flatten() {
            parsed.read_extension(extension)?;
        }
        Ok(parsed)
    }

    fn read_extension(&mut self, extension: &x509_cert::ext::Extension) -> Result<(), String> {
        let value = extension.extn_value.as_bytes();
        let id = extension.extn_id;
        let bad = |e: x509_cert::der::Error| format!("extension {id}: {e}");
        if id == BasicConstraints::OID {
            self.basic_constraints = Some(BasicConstraints::from_der(value).map_err(bad)?);
        } else if id == KeyUsage::OID {
            self.key_usage = Some(KeyUsage::from_der(value).map_err(bad)?);
        } else if id == SubjectKeyIdentifier::OID {
            let ski = SubjectKeyIdentifier::from_der(value).map_err(bad)?;
            self.subject_key_id = Some(ski.0.as_bytes().to_vec());
        } else if id == AuthorityKeyIdentifier::OID {
            let aki = AuthorityKeyIdentifier::from_der(value).map_err(bad)?;
            self.authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
        }
        let known = KNOWN_CRITICAL_EXTENSIONS
            .iter()
            .any(|k| id.to_string() == *k)
            || id == AuthorityKeyIdentifier::OID;
        if extension.critical && !known && self.unknown_critical_extension.is_none() {
            self.unknown_critical_extension = Some(id);
        }
        Ok(())
    }

    /// The subject as an RFC 4514 string, for messages and audit.
    pub fn subject_text(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer_text(&self) -> String {
        self.cert.tbs_certificate.issuer.to_string()
    }

    /// The serial number in lower-case hex without the DER sign byte (`00c8` → `c8`), as
    /// OpenSSL and e-imzo-server print it.
    pub fn serial_hex(&self) -> String {
        let bytes = self.cert.tbs_certificate.serial_number.as_bytes();
        let start = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len().saturating_sub(1));
        hex::encode(&bytes[start..])
    }

    /// Lower-case hex SHA-256 of the certificate DER.
    pub fn sha256_hex(&self) -> String {
        hex::encode(ring::digest::digest(&ring::digest::SHA256, &self.der))
    }

    /// Whether this certificate could have issued `child`: the names chain and, when both
    /// key identifiers are present, they agree.
    pub fn may_have_issued(&self, child: &ParsedCertificate) -> bool {
        if self.subject_der != child.issuer_der {
            return false;
        }
        match (&child.authority_key_id, &self.subject_key_id) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        }
    }

    /// Check `child`'s signature with this certificate's key.
    pub fn verify_issued(
        &self,
        child: &ParsedCertificate,
        registry: &AlgorithmRegistry,
    ) -> Result<(), VerifyError> {
        let signature = child
            .cert
            .signature
            .as_bytes()
            .ok_or(VerifyError::BadSignature)?;
        registry.verify(
            &self.spki_der,
            &child.sig_alg_der,
            &child.tbs_der,
            signature,
        )
    }

    /// Whether this certificate's own validity period contains `now`.
    pub fn valid_at(&self, now: i64) -> Result<(), super::EsignFailure> {
        if now < self.not_before {
            return Err(super::EsignFailure::CertificateNotYetValid(
                self.subject_text(),
            ));
        }
        if now > self.not_after {
            return Err(super::EsignFailure::CertificateExpired(self.subject_text()));
        }
        Ok(())
    }
}

/// A CRL parsed for revocation checks.
#[derive(Debug, Clone)]
pub(crate) struct ParsedCrl {
    pub crl: CertificateList,
    tbs_der: Vec<u8>,
    sig_alg_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    pub this_update: i64,
    pub next_update: Option<i64>,
}

impl ParsedCrl {
    /// Parse a DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let crl = CertificateList::from_der(der).map_err(|e| format!("CRL: {e}"))?;
        let tbs = &crl.tbs_cert_list;
        Ok(Self {
            tbs_der: first_element(der)?.to_vec(),
            sig_alg_der: to_der(&crl.signature_algorithm)?,
            issuer_der: to_der(&tbs.issuer)?,
            this_update: unix_seconds(tbs.this_update),
            next_update: tbs.next_update.map(unix_seconds),
            crl,
        })
    }

    /// Check the CRL's signature with `issuer`'s key.
    pub fn verify_signed_by(
        &self,
        issuer: &ParsedCertificate,
        registry: &AlgorithmRegistry,
    ) -> Result<(), VerifyError> {
        let signature = self
            .crl
            .signature
            .as_bytes()
            .ok_or(VerifyError::BadSignature)?;
        registry.verify(
            &issuer.spki_der,
            &self.sig_alg_der,
            &self.tbs_der,
            signature,
        )
    }

    /// The first critical CRL extension we do not understand (e.g. issuingDistributionPoint,
    /// deltaCRLIndicator): such a CRL is partial or delta and cannot be used alone.
    pub fn unknown_critical_extension(&self) -> Option<ObjectIdentifier> {
        let crl_number = ObjectIdentifier::new_unwrap("2.5.29.20");
        let aki = AuthorityKeyIdentifier::OID;
        let tbs = &self.crl.tbs_cert_list;
        let list_extensions = tbs.crl_extensions.iter().flatten();
        let entry_extensions = tbs
            .revoked_certificates
            .iter()
            .flatten()
            .flat_map(|r| r.crl_entry_extensions.iter().flatten());
        list_extensions
            .chain(entry_extensions)
            .find(|e| e.critical && e.extn_id != crl_number && e.extn_id != aki)
            .map(|e| e.extn_id)
    }

    /// Whether `serial` (as encoded) is listed.
    pub fn lists_serial(&self, serial: &[u8]) -> bool {
        let revoked = self.crl.tbs_cert_list.revoked_certificates.iter().flatten();
        revoked
            .into_iter()
            .any(|r| r.serial_number.as_bytes() == serial)
    }
}

fn to_der<T: Encode>(value: &T) -> Result<Vec<u8>, String> {
    value.to_der().map_err(|e| format!("re-encoding: {e}"))
}

fn unix_seconds(time: x509_cert::time::Time) -> i64 {
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// The complete first element (tag, length and value) inside a DER SEQUENCE: the
/// TBSCertificate of a Certificate or the TBSCertList of a CRL, as originally encoded.
pub(crate) fn first_element(der: &[u8]) -> Result<&[u8], String> {
    let (outer_header, outer_len) = der_header(der)?;
    let content = der
        .get(outer_header..outer_header + outer_len)
        .ok_or("truncated outer element")?;
    let (inner_header, inner_len) = der_header(content)?;
    content
        .get(..inner_header + inner_len)
        .ok_or_else(|| "truncated inner element".to_string())
}

/// Header length and content length of a DER element with a one-byte tag.
fn der_header(input: &[u8]) -> Result<(usize, usize), String> {
    let tag = *input.first().ok_or("empty element")?;
    if tag & 0x1f == 0x1f {
        return Err("multi-byte tag".into());
    }
    let first = *input.get(1).ok_or("missing length")?;
    if first < 0x80 {
        return Ok((2, usize::from(first)));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return Err("unsupported length form".into());
    }
    let bytes = input.get(2..2 + count).ok_or("truncated length")?;
    let length = bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Ok((2 + count, length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_element_returns_inner_tlv_with_long_lengths() {
        let mut inner = vec![0x30, 0x81, 0x80];
        inner.extend(std::iter::repeat_n(0x05, 0x80));
        let mut outer = vec![0x30, 0x81, 0x85];
        outer.extend(&inner);
        outer.extend([0x05, 0x00]);
        assert_eq!(first_element(&outer), Ok(&inner[..]));
    }

    #[test]
    fn first_element_rejects_truncation_and_indefinite_length() {
        assert!(first_element(&[0x30, 0x05, 0x30, 0x03, 0x01]).is_err());
        assert!(first_element(&[0x30, 0x80, 0x30, 0x00, 0x00, 0x00]).is_err());
        assert!(first_element(&[]).is_err());
    }
}
