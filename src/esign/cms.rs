//! CMS SignedData (RFC 5652) decoding with `rasn` (BER, indefinite lengths included) and the
//! checks on the single SignerInfo and its signed attributes (RFC 5652 §5.3, §5.4, §11).

use rasn_cms::{ContentInfo, SignedData, SignerInfo};
use x509_cert::der::Decode;
use x509_cert::der::asn1::OctetStringRef;
use x509_cert::der::oid::ObjectIdentifier;

use super::EsignFailure;
use super::algorithms::{self, AlgorithmRegistry, VerifyError};

/// Largest accepted PKCS#7 message (binary, after Base64 decoding).
pub const MAX_PKCS7_LEN: usize = 64 * 1024;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ATTR_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const ATTR_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const ATTR_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

/// A decoded attached SignedData.
pub(crate) struct SignedMessage {
    /// The encapsulated `id-data` content.
    pub content: Vec<u8>,
    /// DER of every X.509 certificate carried in the message.
    pub certificates: Vec<Vec<u8>>,
    /// All SignerInfos, in message order.
    pub signers: Vec<SignerInfo>,
}

/// The encapsulated content of an attached PKCS#7 (BER or DER): ContentInfo → SignedData →
/// eContent of type `id-data`. Does no cryptography: the caller uses it to find and consume
/// the challenge before calling a [`super::SignatureVerifier`].
pub fn encapsulated_content(input: &[u8]) -> Result<Vec<u8>, EsignFailure> {
    decode_signed_message(input).map(|message| message.content)
}

/// Decode `input` as ContentInfo(SignedData) with attached `id-data` content.
pub(crate) fn decode_signed_message(input: &[u8]) -> Result<SignedMessage, EsignFailure> {
    if input.len() > MAX_PKCS7_LEN {
        return Err(EsignFailure::TooLarge {
            limit: MAX_PKCS7_LEN,
        });
    }
    let (content_info, rest) = rasn::ber::decode_with_remainder::<ContentInfo>(input)
        .map_err(|e| EsignFailure::Malformed(format!("ContentInfo: {e}")))?;
    if !rest.is_empty() {
        return Err(EsignFailure::Malformed(
            "trailing data after ContentInfo".into(),
        ));
    }
    if oid_of(&content_info.content_type) != Some(ID_SIGNED_DATA) {
        return Err(EsignFailure::NotSignedData);
    }
    let signed_data: SignedData = rasn::ber::decode(content_info.content.as_bytes())
        .map_err(|e| EsignFailure::Malformed(format!("SignedData: {e}")))?;
    let encapsulated = &signed_data.encap_content_info;
    if oid_of(&encapsulated.content_type) != Some(ID_DATA) {
        return Err(EsignFailure::NoContent);
    }
    let content = encapsulated
        .content
        .as_ref()
        .ok_or(EsignFailure::NoContent)?
        .to_vec();
    let certificates = message_certificates(&signed_data)?;
    Ok(SignedMessage {
        content,
        certificates,
        signers: signed_data.signer_infos.into_vec(),
    })
}

fn message_certificates(signed_data: &SignedData) -> Result<Vec<Vec<u8>>, EsignFailure> {
    let choices = signed_data.certificates.iter().flat_map(|set| set.iter());
    let mut certificates = Vec::new();
    for choice in choices {
        if let rasn_cms::CertificateChoices::Certificate(certificate) = choice {
            let der = rasn::der::encode(certificate.as_ref())
                .map_err(|e| EsignFailure::Malformed(format!("certificate: {e}")))?;
            certificates.push(der);
        }
    }
    Ok(certificates)
}

/// The `rasn` OID as an `x509-cert` OID (`None` if it cannot be represented).
pub(crate) fn oid_of(oid: &rasn::types::ObjectIdentifier) -> Option<ObjectIdentifier> {
    ObjectIdentifier::new(&oid.to_string()).ok()
}

/// What the signed attributes established.
pub(crate) struct CheckedAttributes {
    /// DER `SET OF Attribute` (tag 0x31): the bytes the signature covers (RFC 5652 §5.4).
    pub signed_der: Vec<u8>,
    /// The `signingTime` attribute in Unix seconds, when present.
    pub signing_time: Option<i64>,
}

/// Check the digest algorithm, `contentType` and `messageDigest` of `signer` against `content`.
pub(crate) fn check_signed_attributes(
    signer: &SignerInfo,
    content: &[u8],
    registry: &AlgorithmRegistry,
) -> Result<CheckedAttributes, EsignFailure> {
    let digest_oid = known_oid(&signer.digest_algorithm.algorithm)?;
    let digest = registry
        .digest(&digest_oid)
        .ok_or_else(|| EsignFailure::UnsupportedAlgorithm(digest_oid.to_string()))?;
    let attributes = signer
        .signed_attrs
        .as_ref()
        .ok_or(EsignFailure::NoSignedAttributes)?;

    let content_type =
        single_value(attributes, ATTR_CONTENT_TYPE)?.ok_or(EsignFailure::ContentTypeMismatch)?;
    if ObjectIdentifier::from_der(content_type).ok() != Some(ID_DATA) {
        return Err(EsignFailure::ContentTypeMismatch);
    }
    let message_digest = single_value(attributes, ATTR_MESSAGE_DIGEST)?
        .ok_or(EsignFailure::MessageDigestMismatch)?;
    let claimed = OctetStringRef::from_der(message_digest)
        .map_err(|_| EsignFailure::MessageDigestMismatch)?;
    if claimed.as_bytes() != digest.digest(content).as_slice() {
        return Err(EsignFailure::MessageDigestMismatch);
    }
    let signing_time = match single_value(attributes, ATTR_SIGNING_TIME)? {
        Some(value) => Some(parse_time(value)?),
        None => None,
    };
    let signed_der = rasn::der::encode(attributes)
        .map_err(|e| EsignFailure::Malformed(format!("signed attributes: {e}")))?;
    Ok(CheckedAttributes {
        signed_der,
        signing_time,
    })
}

/// Verify the signer's signature over `signed_der` with the key in `spki_der`.
pub(crate) fn verify_signer_signature(
    signer: &SignerInfo,
    signed_der: &[u8],
    spki_der: &[u8],
    registry: &AlgorithmRegistry,
) -> Result<(), EsignFailure> {
    let sig_alg_der = signature_algorithm_der(signer)?;
    registry
        .verify(spki_der, &sig_alg_der, signed_der, &signer.signature)
        .map_err(|e| match e {
            VerifyError::Unsupported(what) => EsignFailure::UnsupportedAlgorithm(what),
            VerifyError::MalformedKey => EsignFailure::Malformed("signer public key".into()),
            VerifyError::BadSignature => EsignFailure::BadSignature,
        })
}

/// The DER AlgorithmIdentifier to verify with. CMS allows the bare key algorithm
/// (`rsaEncryption`, RFC 3370 §3.2; `id-ecPublicKey` from some producers) together with the
/// SignerInfo digest algorithm; map that pair to the combined signature OID.
fn signature_algorithm_der(signer: &SignerInfo) -> Result<Vec<u8>, EsignFailure> {
    let sig_oid = known_oid(&signer.signature_algorithm.algorithm)?;
    let digest_oid = known_oid(&signer.digest_algorithm.algorithm)?;
    let combined = match (sig_oid, digest_oid) {
        (algorithms::RSA_ENCRYPTION, algorithms::SHA256) => {
            Some((algorithms::SHA256_WITH_RSA, true))
        }
        (algorithms::RSA_ENCRYPTION, algorithms::SHA384) => {
            Some((algorithms::SHA384_WITH_RSA, true))
        }
        (algorithms::RSA_ENCRYPTION, algorithms::SHA512) => {
            Some((algorithms::SHA512_WITH_RSA, true))
        }
        (algorithms::EC_PUBLIC_KEY, algorithms::SHA256) => Some((algorithms::ECDSA_SHA256, false)),
        (algorithms::EC_PUBLIC_KEY, algorithms::SHA384) => Some((algorithms::ECDSA_SHA384, false)),
        (algorithms::RSA_ENCRYPTION | algorithms::EC_PUBLIC_KEY, other) => {
            return Err(EsignFailure::UnsupportedAlgorithm(format!(
                "{sig_oid} with {other}"
            )));
        }
        _ => None,
    };
    let encoded = match combined {
        Some((oid, null_params)) => {
            let parameters = null_params.then(x509_cert::der::Any::null);
            let identifier = x509_cert::spki::AlgorithmIdentifierOwned { oid, parameters };
            x509_cert::der::Encode::to_der(&identifier).map_err(|e| e.to_string())
        }
        None => rasn::der::encode(&signer.signature_algorithm).map_err(|e| e.to_string()),
    };
    encoded.map_err(|e| EsignFailure::Malformed(format!("signature algorithm: {e}")))
}

fn known_oid(oid: &rasn::types::ObjectIdentifier) -> Result<ObjectIdentifier, EsignFailure> {
    oid_of(oid).ok_or_else(|| EsignFailure::UnsupportedAlgorithm(oid.to_string()))
}

/// The one value of attribute `kind`; two attributes of that type, or one with several
/// values, is malformed (RFC 5652 §11.1-§11.3).
fn single_value(
    attributes: &rasn_cms::SignedAttributes,
    kind: ObjectIdentifier,
) -> Result<Option<&[u8]>, EsignFailure> {
    let mut matching = attributes
        .iter()
        .filter(|a| oid_of(&a.r#type) == Some(kind));
    let Some(attribute) = matching.next() else {
        return Ok(None);
    };
    if matching.next().is_some() || attribute.values.len() != 1 {
        return Err(EsignFailure::Malformed(format!(
            "attribute {kind} not single-valued"
        )));
    }
    Ok(attribute.values.iter().next().map(|v| v.as_bytes()))
}

fn parse_time(value: &[u8]) -> Result<i64, EsignFailure> {
    let time = x509_cert::time::Time::from_der(value)
        .map_err(|e| EsignFailure::Malformed(format!("signingTime: {e}")))?;
    Ok(i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
}
