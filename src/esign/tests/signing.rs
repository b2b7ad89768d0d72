//! Builds CMS SignedData sign-in messages (DER with `cms` 0.2 types, BER by re-encoding the
//! envelope with indefinite lengths the way E-IMZO and `openssl cms -stream` do).

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tag};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier};
use x509_cert::attr::Attribute;

use super::pki::{Issued, NOW, time};

pub const ID_DATA: &str = "1.2.840.113549.1.7.1";
pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const ID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

/// How to build one SignerInfo.
pub struct SignerSpec<'a> {
    pub signer: &'a Issued,
    pub digest_oid: &'static str,
    pub signing_time: Option<i64>,
    pub with_signed_attributes: bool,
    /// Put this digest in messageDigest instead of the real one.
    pub message_digest_override: Option<Vec<u8>>,
    pub content_type_oid: &'static str,
    /// Use this signature AlgorithmIdentifier instead of the key's own.
    pub signature_alg_override: Option<AlgorithmIdentifierOwned>,
    /// Change signingTime after signing (the signature then covers other bytes).
    pub tamper_after_signing: bool,
}

impl<'a> SignerSpec<'a> {
    pub fn new(signer: &'a Issued) -> Self {
        Self {
            signer,
            digest_oid: SHA256,
            signing_time: Some(NOW - 10),
            with_signed_attributes: true,
            message_digest_override: None,
            content_type_oid: ID_DATA,
            signature_alg_override: None,
            tamper_after_signing: false,
        }
    }
}

fn attribute(oid: &str, value: Any) -> Attribute {
    Attribute {
        oid: ObjectIdentifier::new_unwrap(oid),
        values: SetOfVec::try_from(vec![value]).expect("values"),
    }
}

fn digest(oid: &str, content: &[u8]) -> Vec<u8> {
    let algorithm = match oid {
        "2.16.840.1.101.3.4.2.2" => &ring::digest::SHA384,
        _ => &ring::digest::SHA256,
    };
    ring::digest::digest(algorithm, content).as_ref().to_vec()
}

fn any_of<T: Encode>(value: &T) -> Any {
    Any::from_der(&value.to_der().expect("encode")).expect("any")
}

fn signed_attributes(
    spec: &SignerSpec<'_>,
    content: &[u8],
    signing_time: Option<i64>,
) -> SetOfVec<Attribute> {
    let message_digest = spec
        .message_digest_override
        .clone()
        .unwrap_or_else(|| digest(spec.digest_oid, content));
    let mut attributes = vec![
        attribute(
            "1.2.840.113549.1.9.3",
            any_of(&ObjectIdentifier::new_unwrap(spec.content_type_oid)),
        ),
        attribute(
            "1.2.840.113549.1.9.4",
            any_of(&OctetString::new(message_digest).expect("octets")),
        ),
    ];
    if let Some(at) = signing_time {
        attributes.push(attribute("1.2.840.113549.1.9.5", any_of(&time(at))));
    }
    SetOfVec::try_from(attributes).expect("attribute set")
}

/// One SignerInfo over `content`.
pub fn signer_info(spec: &SignerSpec<'_>, content: &[u8]) -> SignerInfo {
    let tbs = &spec.signer.cert.tbs_certificate;
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: tbs.issuer.clone(),
        serial_number: tbs.serial_number.clone(),
    });
    let (signed_attrs, signature) = if spec.with_signed_attributes {
        let attributes = signed_attributes(spec, content, spec.signing_time);
        let signature = spec
            .signer
            .key
            .sign(&attributes.to_der().expect("attributes"));
        let attributes = if spec.tamper_after_signing {
            signed_attributes(spec, content, spec.signing_time.map(|t| t + 1))
        } else {
            attributes
        };
        (Some(attributes), signature)
    } else {
        (None, spec.signer.key.sign(content))
    };
    SignerInfo {
        version: CmsVersion::V1,
        sid,
        digest_alg: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap(spec.digest_oid),
            parameters: None,
        },
        signed_attrs,
        signature_algorithm: spec
            .signature_alg_override
            .clone()
            .unwrap_or_else(|| spec.signer.key.sig_alg()),
        signature: OctetString::new(signature).expect("signature"),
        unsigned_attrs: None,
    }
}

/// A DER ContentInfo(SignedData) with `content` attached, the given certificates and signers.
pub fn signed_data(content: &[u8], certificates: &[&Issued], signers: Vec<SignerInfo>) -> Vec<u8> {
    let digest_algorithms = SetOfVec::try_from(
        signers
            .iter()
            .map(|s| s.digest_alg.clone())
            .collect::<Vec<_>>(),
    )
    .expect("digest algorithms");
    let choices = certificates
        .iter()
        .map(|c| CertificateChoices::Certificate(c.cert.clone()))
        .collect::<Vec<_>>();
    let signed = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ObjectIdentifier::new_unwrap(ID_DATA),
            econtent: Some(Any::new(Tag::OctetString, content).expect("content")),
        },
        certificates: Some(CertificateSet::try_from(choices).expect("certificates")),
        crls: None,
        signer_infos: SignerInfos::try_from(signers).expect("signer infos"),
    };
    let info = ContentInfo {
        content_type: ObjectIdentifier::new_unwrap(ID_SIGNED_DATA),
        content: Any::from_der(&signed.to_der().expect("signed data")).expect("any"),
    };
    info.to_der().expect("content info")
}

/// The usual message: one signer with signed attributes, leaf and intermediate attached.
pub fn sign(content: &[u8], signer: &Issued, intermediate: &Issued) -> Vec<u8> {
    let info = signer_info(&SignerSpec::new(signer), content);
    signed_data(content, &[signer, intermediate], vec![info])
}

/// Re-encode a DER ContentInfo(SignedData) as BER with indefinite lengths on ContentInfo,
/// `[0]`, SignedData, EncapsulatedContentInfo, its `[0]`, the certificate set and signer
/// infos, and the content as a constructed OCTET STRING in 4-byte chunks.
pub fn to_ber(der: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    indefinite(der, &mut out, &|content, out| {
        let (oid, explicit) = split_first(content);
        out.extend_from_slice(oid);
        indefinite(explicit, out, &|signed_data, out| {
            indefinite(signed_data, out, &signed_data_children)
        });
    });
    out
}

type Children = dyn Fn(&[u8], &mut Vec<u8>);

fn signed_data_children(mut content: &[u8], out: &mut Vec<u8>) {
    while !content.is_empty() {
        let (element, rest) = split_first(content);
        match element[0] {
            // The only SEQUENCE among SignedData's children is EncapsulatedContentInfo.
            0x30 => {
                indefinite(element, out, &|encap, out| {
                    let (oid, explicit) = split_first(encap);
                    out.extend_from_slice(oid);
                    indefinite(explicit, out, &|octets, out| chunked_octets(octets, out));
                });
            }
            0xa0 | 0x31 => indefinite(element, out, &|children, out| {
                out.extend_from_slice(children)
            }),
            _ => out.extend_from_slice(element),
        }
        content = rest;
    }
}

fn chunked_octets(octet_string: &[u8], out: &mut Vec<u8>) {
    let (header, length) = header(octet_string);
    out.extend_from_slice(&[0x24, 0x80]);
    for chunk in octet_string[header..header + length].chunks(4) {
        out.push(0x04);
        out.push(chunk.len() as u8);
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&[0, 0]);
}

/// Write `element`'s tag (constructed) with indefinite length, its children via `children`,
/// then end-of-contents.
fn indefinite(element: &[u8], out: &mut Vec<u8>, children: &Children) {
    let (header, length) = header(element);
    out.push(element[0] | 0x20);
    out.push(0x80);
    children(&element[header..header + length], out);
    out.extend_from_slice(&[0, 0]);
}

fn split_first(content: &[u8]) -> (&[u8], &[u8]) {
    let (header, length) = header(content);
    content.split_at(header + length)
}

fn header(element: &[u8]) -> (usize, usize) {
    let first = element[1];
    if first < 0x80 {
        return (2, usize::from(first));
    }
    let count = usize::from(first & 0x7f);
    let length = element[2..2 + count]
        .iter()
        .fold(0, |acc, b| (acc << 8) | usize::from(*b));
    (2 + count, length)
}
