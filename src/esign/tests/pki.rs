//! Test PKI: keys (ECDSA P-256/P-384, RSA PKCS#1 v1.5 and PSS), certificates with the Uzbek
//! subject attributes, and CRLs, all built by hand from `x509-cert` types so each test can
//! break exactly one thing.

use std::sync::OnceLock;
use std::time::Duration;

use der::asn1::{BitString, GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::{Any, Encode, Tag};
use p256::pkcs8::EncodePublicKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use sha2::Sha256;
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

/// The fixed "now" of the generated fixtures (2026-05-28).
pub const NOW: i64 = 1_780_000_000;
pub const DAY: i64 = 86_400;
pub const PINFL: &str = "31234567890123";
pub const PERSONAL_TIN: &str = "123456789";
pub const ORG_TIN: &str = "301234567";

/// A private key of one of the supported kinds.
pub enum TestKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Rsa(rsa::RsaPrivateKey),
    RsaPss(rsa::RsaPrivateKey),
}

impl TestKey {
    pub fn p256() -> Self {
        Self::P256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }
    pub fn p384() -> Self {
        Self::P384(p384::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }
    /// A 2048-bit RSA key, generated once per test binary (generation is slow).
    pub fn rsa(index: usize, pss: bool) -> Self {
        static KEYS: OnceLock<Vec<rsa::RsaPrivateKey>> = OnceLock::new();
        let keys = KEYS.get_or_init(|| {
            (0..2)
                .map(|_| rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA key"))
                .collect()
        });
        let key = keys[index].clone();
        if pss {
            Self::RsaPss(key)
        } else {
            Self::Rsa(key)
        }
    }

    pub fn spki(&self) -> SubjectPublicKeyInfoOwned {
        let der = match self {
            Self::P256(k) => k.verifying_key().to_public_key_der(),
            Self::P384(k) => k.verifying_key().to_public_key_der(),
            Self::Rsa(k) | Self::RsaPss(k) => k.to_public_key().to_public_key_der(),
        }
        .expect("SPKI");
        der::Decode::from_der(der.as_bytes()).expect("SPKI parse")
    }

    /// The signature AlgorithmIdentifier this key signs with.
    pub fn sig_alg(&self) -> AlgorithmIdentifierOwned {
        let plain = |oid: &str, null: bool| AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap(oid),
            parameters: null.then(Any::null),
        };
        match self {
            Self::P256(_) => plain("1.2.840.10045.4.3.2", false),
            Self::P384(_) => plain("1.2.840.10045.4.3.3", false),
            Self::Rsa(_) => plain("1.2.840.113549.1.1.11", true),
            Self::RsaPss(_) => {
                rsa::pss::get_default_pss_signature_algo_id::<Sha256>().expect("PSS id")
            }
        }
    }

    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(msg);
                sig.to_der().as_bytes().to_vec()
            }
            Self::Rsa(k) => rsa::pkcs1v15::SigningKey::<Sha256>::new(k.clone())
                .sign(msg)
                .to_vec(),
            Self::RsaPss(k) => rsa::pss::BlindedSigningKey::<Sha256>::new(k.clone())
                .sign_with_rng(&mut rand_core::OsRng, msg)
                .to_vec(),
        }
    }

    /// Key identifier: the first 20 bytes of SHA-256 of the public key bits.
    pub fn key_id(&self) -> Vec<u8> {
        let spki = self.spki();
        let bits = spki.subject_public_key.raw_bytes();
        ring::digest::digest(&ring::digest::SHA256, bits).as_ref()[..20].to_vec()
    }
}

/// A subject attribute value: UTF8String unless stated.
pub fn name(attributes: &[(&str, &str)]) -> Name {
    let rdns = attributes
        .iter()
        .map(|(oid, value)| {
            let tag = if oid.starts_with("1.2.860") {
                Tag::PrintableString
            } else {
                Tag::Utf8String
            };
            let atv = AttributeTypeAndValue {
                oid: ObjectIdentifier::new_unwrap(oid),
                value: Any::new(tag, value.as_bytes()).expect("attribute value"),
            };
            RelativeDistinguishedName(SetOfVec::try_from(vec![atv]).expect("RDN"))
        })
        .collect();
    RdnSequence(rdns)
}

pub fn citizen_name(pinfl: Option<&str>) -> Name {
    let mut attributes = vec![("2.5.4.6", "UZ"), ("2.5.4.3", "TOSHMATOV ALI VALI O'G'LI")];
    attributes.push(("0.9.2342.19200300.100.1.1", PERSONAL_TIN));
    if let Some(pinfl) = pinfl {
        attributes.push(("1.2.860.3.16.1.2", pinfl));
    }
    name(&attributes)
}

pub fn time(unix: i64) -> Time {
    let duration = Duration::from_secs(unix as u64);
    if unix < 2_524_608_000 {
        Time::UtcTime(UtcTime::from_unix_duration(duration).expect("UTCTime"))
    } else {
        Time::GeneralTime(GeneralizedTime::from_unix_duration(duration).expect("GeneralizedTime"))
    }
}

/// What to put in a certificate.
#[derive(Clone)]
pub struct CertSpec {
    pub subject: Name,
    pub serial: u32,
    pub not_before: i64,
    pub not_after: i64,
    /// `Some(ca)` adds basicConstraints with that cA value.
    pub ca: Option<bool>,
    pub key_usage: Option<KeyUsages>,
    pub extra_key_usage: Vec<KeyUsages>,
}

impl CertSpec {
    pub fn ca(subject: Name, serial: u32) -> Self {
        Self {
            subject,
            serial,
            not_before: NOW - 365 * DAY,
            not_after: NOW + 5 * 365 * DAY,
            ca: Some(true),
            key_usage: Some(KeyUsages::KeyCertSign),
            extra_key_usage: vec![KeyUsages::CRLSign],
        }
    }

    pub fn leaf(subject: Name, serial: u32) -> Self {
        Self {
            subject,
            serial,
            not_before: NOW - 30 * DAY,
            not_after: NOW + 335 * DAY,
            ca: None,
            key_usage: Some(KeyUsages::DigitalSignature),
            extra_key_usage: vec![KeyUsages::NonRepudiation],
        }
    }
}

/// A certificate with its key.
pub struct Issued {
    pub key: TestKey,
    pub der: Vec<u8>,
    pub cert: Certificate,
}

fn extension<T: Encode>(oid: ObjectIdentifier, critical: bool, value: &T) -> Extension {
    Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().expect("extension")).expect("octets"),
    }
}

/// Issue a certificate for `key` per `spec`, signed by `issuer` (self-signed when `None`).
pub fn issue(spec: &CertSpec, key: TestKey, issuer: Option<&Issued>) -> Issued {
    use der::oid::AssociatedOid;
    let (issuer_name, issuer_key) = match issuer {
        Some(i) => (i.cert.tbs_certificate.subject.clone(), &i.key),
        None => (spec.subject.clone(), &key),
    };
    let mut extensions = Vec::new();
    if let Some(ca) = spec.ca {
        let bc = BasicConstraints {
            ca,
            path_len_constraint: None,
        };
        extensions.push(extension(BasicConstraints::OID, true, &bc));
    }
    if let Some(first) = spec.key_usage {
        let mut flags: der::flagset::FlagSet<KeyUsages> = first.into();
        for extra in &spec.extra_key_usage {
            flags |= *extra;
        }
        extensions.push(extension(KeyUsage::OID, true, &KeyUsage(flags)));
    }
    let ski = SubjectKeyIdentifier(OctetString::new(key.key_id()).expect("ski"));
    extensions.push(extension(SubjectKeyIdentifier::OID, false, &ski));
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(issuer_key.key_id()).expect("aki")),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    extensions.push(extension(AuthorityKeyIdentifier::OID, false, &aki));
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::from(spec.serial),
        signature: issuer_key.sig_alg(),
        issuer: issuer_name,
        validity: Validity {
            not_before: time(spec.not_before),
            not_after: time(spec.not_after),
        },
        subject: spec.subject.clone(),
        subject_public_key_info: key.spki(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let signature = issuer_key.sign(&tbs.to_der().expect("TBS"));
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: issuer_key.sig_alg(),
        signature: BitString::from_bytes(&signature).expect("bits"),
    };
    Issued {
        der: cert.to_der().expect("cert"),
        cert,
        key,
    }
}

/// A CRL by `issuer` valid from `this_update` to `next_update`, listing `revoked` serials.
pub fn crl(issuer: &Issued, this_update: i64, next_update: i64, revoked: &[u32]) -> Vec<u8> {
    let entries: Vec<RevokedCert> = revoked
        .iter()
        .map(|serial| RevokedCert {
            serial_number: SerialNumber::from(*serial),
            revocation_date: time(this_update - DAY),
            crl_entry_extensions: None,
        })
        .collect();
    let tbs = TbsCertList {
        version: Version::V2,
        signature: issuer.key.sig_alg(),
        issuer: issuer.cert.tbs_certificate.subject.clone(),
        this_update: time(this_update),
        next_update: Some(time(next_update)),
        revoked_certificates: (!entries.is_empty()).then_some(entries),
        crl_extensions: None,
    };
    let signature = issuer.key.sign(&tbs.to_der().expect("TBS"));
    let list = CertificateList {
        tbs_cert_list: tbs,
        signature_algorithm: issuer.key.sig_alg(),
        signature: BitString::from_bytes(&signature).expect("bits"),
    };
    list.to_der().expect("CRL")
}

/// Root → intermediate → citizen and company leaves, all P-256 unless `rsa`.
pub struct Pki {
    pub root: Issued,
    pub intermediate: Issued,
    pub citizen: Issued,
    pub company: Issued,
}

impl Pki {
    pub fn new(rsa: bool) -> Self {
        let key = |index| {
            if rsa {
                TestKey::rsa(index, false)
            } else {
                TestKey::p256()
            }
        };
        let root = issue(
            &CertSpec::ca(name(&[("2.5.4.3", "Test Root UZ")]), 1),
            key(0),
            None,
        );
        let intermediate_name = name(&[("2.5.4.10", "Test CA"), ("2.5.4.3", "Test Citizen CA")]);
        let intermediate = issue(&CertSpec::ca(intermediate_name, 2), key(1), Some(&root));
        let citizen = issue(
            &CertSpec::leaf(citizen_name(Some(PINFL)), 100),
            TestKey::p256(),
            Some(&intermediate),
        );
        let company_name = name(&[
            ("2.5.4.3", "TOSHMATOV ALI"),
            ("2.5.4.10", "MChJ \"NAMUNA\""),
            ("1.2.860.3.16.1.1", ORG_TIN),
            ("1.2.860.3.16.1.2", PINFL),
        ]);
        let company = issue(
            &CertSpec::leaf(company_name, 101),
            TestKey::p384(),
            Some(&intermediate),
        );
        Self {
            root,
            intermediate,
            citizen,
            company,
        }
    }

    /// A leaf under this PKI's intermediate.
    pub fn leaf(&self, spec: &CertSpec, key: TestKey) -> Issued {
        issue(spec, key, Some(&self.intermediate))
    }

    /// Fresh, empty CRLs from the root and the intermediate.
    pub fn fresh_crls(&self) -> Vec<Vec<u8>> {
        vec![
            crl(&self.root, NOW - DAY, NOW + 7 * DAY, &[]),
            crl(&self.intermediate, NOW - DAY, NOW + 7 * DAY, &[]),
        ]
    }
}
