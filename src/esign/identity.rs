//! The person (and organisation) named in an Uzbek qualified certificate's subject
//! (`shared/reference/esign.md` §5): PINFL `1.2.860.3.16.1.2`, personal TIN `UID`,
//! organisation TIN `1.2.860.3.16.1.1`, `O` and `CN`.

use x509_cert::der::Tag;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::name::Name;

use super::EsignFailure;

/// PINFL (personal identification number of an individual), 14 digits.
pub const OID_PINFL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.860.3.16.1.2");
/// Organisation TIN (legal-entity certificates only).
pub const OID_ORGANIZATION_TIN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.860.3.16.1.1");
/// `UID` (RFC 4519), the personal TIN on E-IMZO certificates.
pub const OID_UID: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
const OID_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const OID_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");

/// Identity attributes read from a certificate subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubjectIdentity {
    pub pinfl: String,
    pub personal_tin: Option<String>,
    pub organization_tin: Option<String>,
    pub organization_name: Option<String>,
    pub common_name: Option<String>,
}

/// Read the identity from `subject`; the PINFL is required and must be exactly 14 digits.
pub(crate) fn subject_identity(subject: &Name) -> Result<SubjectIdentity, EsignFailure> {
    let pinfl = attribute(subject, OID_PINFL)?.ok_or(EsignFailure::MissingPinfl)?;
    check_pinfl(&pinfl)?;
    Ok(SubjectIdentity {
        pinfl,
        personal_tin: attribute(subject, OID_UID)?,
        organization_tin: attribute(subject, OID_ORGANIZATION_TIN)?,
        organization_name: attribute(subject, OID_ORGANIZATION)?,
        common_name: attribute(subject, OID_COMMON_NAME)?,
    })
}

/// A PINFL is exactly 14 ASCII digits.
pub fn check_pinfl(pinfl: &str) -> Result<(), EsignFailure> {
    if pinfl.len() == 14 && pinfl.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(EsignFailure::MalformedPinfl)
    }
}

/// The first value of attribute `oid` as text (UTF8String, PrintableString, IA5String,
/// NumericString, TeletexString read as UTF-8, or BMPString).
fn attribute(subject: &Name, oid: ObjectIdentifier) -> Result<Option<String>, EsignFailure> {
    let value = subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == oid)
        .map(|atv| &atv.value);
    let Some(value) = value else {
        return Ok(None);
    };
    let bytes = value.value();
    let malformed = || EsignFailure::Malformed(format!("subject attribute {oid} is not text"));
    let text = match x509_cert::der::Tagged::tag(value) {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::TeletexString => String::from_utf8(bytes.to_vec()).map_err(|_| malformed())?,
        Tag::BmpString => decode_bmp(bytes).ok_or_else(malformed)?,
        _ => return Err(malformed()),
    };
    Ok(Some(text.trim().to_string()))
}

fn decode_bmp(bytes: &[u8]) -> Option<String> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinfl_must_be_fourteen_ascii_digits() {
        assert_eq!(check_pinfl("31234567890123"), Ok(()));
        assert_eq!(
            check_pinfl("3123456789012"),
            Err(EsignFailure::MalformedPinfl)
        );
        assert_eq!(
            check_pinfl("312345678901234"),
            Err(EsignFailure::MalformedPinfl)
        );
        assert_eq!(
            check_pinfl("3123456789012a"),
            Err(EsignFailure::MalformedPinfl)
        );
        assert_eq!(
            check_pinfl("３１２３４５６７８９０１２３"),
            Err(EsignFailure::MalformedPinfl)
        );
    }

    #[test]
    fn bmp_strings_decode_as_utf16_big_endian() {
        assert_eq!(
            decode_bmp(&[0x04, 0x10, 0x00, 0x42]),
            Some("АB".to_string())
        );
        assert_eq!(decode_bmp(&[0x00]), None);
    }
}
