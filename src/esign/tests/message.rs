//! The CMS layer: encodings, signed attributes, signer count, algorithms, input limits.

use super::pki::{CertSpec, NOW, ORG_TIN, PERSONAL_TIN, PINFL, Pki, TestKey, citizen_name};
use super::signing::{SignerSpec, sign, signed_data, signer_info, to_ber};
use super::{verifier, verify};
use crate::esign::{
    EsignFailure, MAX_PKCS7_LEN, SignatureVerifier, decode_base64_pkcs7, encapsulated_content,
};

const CHALLENGE: &[u8] = b"q3Xz0v3iS3uT9o0b8q1Yt5c8b2qkF1l0bW9qZ2Fn5Vw";

#[tokio::test]
async fn ecdsa_der_signature_verifies_and_names_the_citizen() {
    let pki = Pki::new(false);
    let message = sign(CHALLENGE, &pki.citizen, &pki.intermediate);
    let signer = verifier(&pki)
        .verify(&message, NOW)
        .await
        .expect("verifies");
    assert_eq!(signer.pinfl, PINFL);
    assert_eq!(signer.personal_tin.as_deref(), Some(PERSONAL_TIN));
    assert_eq!(signer.organization_tin, None);
    assert_eq!(
        signer.common_name.as_deref(),
        Some("TOSHMATOV ALI VALI O'G'LI")
    );
    assert_eq!(signer.issuer_dn, "CN=Test Citizen CA,O=Test CA");
    assert_eq!(signer.serial_hex, "64");
    assert_eq!(signer.signing_time, Some(NOW - 10));
    let digest = ring::digest::digest(&ring::digest::SHA256, &pki.citizen.der);
    assert_eq!(signer.certificate_sha256_hex, hex::encode(digest));
}

#[test]
fn ecdsa_ber_indefinite_length_signature_verifies() {
    let pki = Pki::new(false);
    let ber = to_ber(&sign(CHALLENGE, &pki.citizen, &pki.intermediate));
    assert_eq!(
        &ber[..2],
        &[0x30, 0x80],
        "fixture must be indefinite-length BER"
    );
    assert_eq!(
        verify(&verifier(&pki), &ber).map(|s| s.pinfl),
        Ok(PINFL.to_string())
    );
}

#[test]
fn rsa_chain_with_rsa_pkcs1_and_pss_leaves_verifies_in_der_and_ber() {
    let pki = Pki::new(true);
    let verifier = verifier(&pki);
    for (serial, pss) in [(200, false), (201, true)] {
        let leaf = pki.leaf(
            &CertSpec::leaf(citizen_name(Some(PINFL)), serial),
            TestKey::rsa(1, pss),
        );
        let der = sign(CHALLENGE, &leaf, &pki.intermediate);
        assert_eq!(
            verify(&verifier, &der).map(|s| s.serial_hex),
            Ok(format!("{serial:02x}"))
        );
        assert!(verify(&verifier, &to_ber(&der)).is_ok(), "BER, pss = {pss}");
    }
}

#[test]
fn company_certificate_on_p384_carries_the_organisation() {
    let pki = Pki::new(false);
    let signer = verify(
        &verifier(&pki),
        &sign(CHALLENGE, &pki.company, &pki.intermediate),
    )
    .expect("verifies");
    assert_eq!(signer.pinfl, PINFL);
    assert_eq!(signer.organization_tin.as_deref(), Some(ORG_TIN));
    assert_eq!(signer.organization_name.as_deref(), Some("MChJ \"NAMUNA\""));
}

#[test]
fn encapsulated_content_returns_the_exact_signed_bytes_in_der_and_ber() {
    let pki = Pki::new(false);
    let der = sign(CHALLENGE, &pki.citizen, &pki.intermediate);
    assert_eq!(encapsulated_content(&der).as_deref(), Ok(CHALLENGE));
    assert_eq!(
        encapsulated_content(&to_ber(&der)).as_deref(),
        Ok(CHALLENGE)
    );
}

#[test]
fn content_that_is_not_the_challenge_is_visible_to_the_caller() {
    let pki = Pki::new(false);
    let other = sign(b"some other challenge", &pki.citizen, &pki.intermediate);
    let content = encapsulated_content(&other).expect("content");
    assert_ne!(
        content, CHALLENGE,
        "the caller's challenge lookup refuses this content"
    );
    assert_eq!(content, b"some other challenge");
}

#[test]
fn altered_signed_attribute_is_a_bad_signature() {
    let pki = Pki::new(false);
    let spec = SignerSpec {
        tamper_after_signing: true,
        ..SignerSpec::new(&pki.citizen)
    };
    let message = signed_data(
        CHALLENGE,
        &[&pki.citizen, &pki.intermediate],
        vec![signer_info(&spec, CHALLENGE)],
    );
    assert_eq!(
        verify(&verifier(&pki), &message),
        Err(EsignFailure::BadSignature)
    );
}

#[test]
fn wrong_message_digest_is_refused() {
    let pki = Pki::new(false);
    let spec = SignerSpec {
        message_digest_override: Some(vec![0xab; 32]),
        ..SignerSpec::new(&pki.citizen)
    };
    let message = signed_data(
        CHALLENGE,
        &[&pki.citizen, &pki.intermediate],
        vec![signer_info(&spec, CHALLENGE)],
    );
    assert_eq!(
        verify(&verifier(&pki), &message),
        Err(EsignFailure::MessageDigestMismatch)
    );
}

#[test]
fn content_type_attribute_other_than_id_data_is_refused() {
    let pki = Pki::new(false);
    let spec = SignerSpec {
        content_type_oid: "1.2.840.113549.1.7.2",
        ..SignerSpec::new(&pki.citizen)
    };
    let message = signed_data(
        CHALLENGE,
        &[&pki.citizen, &pki.intermediate],
        vec![signer_info(&spec, CHALLENGE)],
    );
    assert_eq!(
        verify(&verifier(&pki), &message),
        Err(EsignFailure::ContentTypeMismatch)
    );
}

#[test]
fn two_signers_are_refused() {
    let pki = Pki::new(false);
    let infos = vec![
        signer_info(&SignerSpec::new(&pki.citizen), CHALLENGE),
        signer_info(&SignerSpec::new(&pki.company), CHALLENGE),
    ];
    let message = signed_data(
        CHALLENGE,
        &[&pki.citizen, &pki.company, &pki.intermediate],
        infos,
    );
    assert_eq!(
        verify(&verifier(&pki), &message),
        Err(EsignFailure::SignerCount(2))
    );
}

#[test]
fn signature_without_signed_attributes_is_refused() {
    let pki = Pki::new(false);
    let spec = SignerSpec {
        with_signed_attributes: false,
        ..SignerSpec::new(&pki.citizen)
    };
    let message = signed_data(
        CHALLENGE,
        &[&pki.citizen, &pki.intermediate],
        vec![signer_info(&spec, CHALLENGE)],
    );
    assert_eq!(
        verify(&verifier(&pki), &message),
        Err(EsignFailure::NoSignedAttributes)
    );
}

#[test]
fn unknown_digest_algorithm_is_unsupported_not_a_panic() {
    let pki = Pki::new(false);
    let ozdst_hash = "1.2.860.3.15.1.3.2.1.1";
    let spec = SignerSpec {
        digest_oid: ozdst_hash,
        ..SignerSpec::new(&pki.citizen)
    };
    let message = signed_data(
        CHALLENGE,
        &[&pki.citizen, &pki.intermediate],
        vec![signer_info(&spec, CHALLENGE)],
    );
    assert_eq!(
        verify(&verifier(&pki), &message),
        Err(EsignFailure::UnsupportedAlgorithm(ozdst_hash.into()))
    );
}

#[test]
fn unknown_signature_algorithm_is_unsupported() {
    let pki = Pki::new(false);
    let unknown = spki::AlgorithmIdentifierOwned {
        oid: spki::ObjectIdentifier::new_unwrap("1.2.860.3.15.1.1.2.2.2.2"),
        parameters: None,
    };
    let spec = SignerSpec {
        signature_alg_override: Some(unknown),
        ..SignerSpec::new(&pki.citizen)
    };
    let message = signed_data(
        CHALLENGE,
        &[&pki.citizen, &pki.intermediate],
        vec![signer_info(&spec, CHALLENGE)],
    );
    let failure = verify(&verifier(&pki), &message).expect_err("refused");
    assert_eq!(failure.code(), "unsupported_algorithm");
    assert!(
        failure.to_string().contains("1.2.860.3.15.1.1.2.2.2.2"),
        "{failure}"
    );
}

#[test]
fn signing_time_outside_the_skew_is_refused() {
    let pki = Pki::new(false);
    let spec = SignerSpec {
        signing_time: Some(NOW - 301),
        ..SignerSpec::new(&pki.citizen)
    };
    let message = signed_data(
        CHALLENGE,
        &[&pki.citizen, &pki.intermediate],
        vec![signer_info(&spec, CHALLENGE)],
    );
    let failure = verify(&verifier(&pki), &message).expect_err("refused");
    assert_eq!(
        failure,
        EsignFailure::SigningTimeSkew {
            signing_time: NOW - 301,
            now: NOW
        }
    );
    assert_eq!(failure.esign_status(), -5);
}

#[test]
fn signer_certificate_absent_from_the_message_is_refused() {
    let pki = Pki::new(false);
    let info = signer_info(&SignerSpec::new(&pki.citizen), CHALLENGE);
    let message = signed_data(CHALLENGE, &[&pki.intermediate], vec![info]);
    assert_eq!(
        verify(&verifier(&pki), &message),
        Err(EsignFailure::SignerCertificateNotFound)
    );
}

#[test]
fn garbage_input_is_malformed() {
    let pki = Pki::new(false);
    for garbage in [&b""[..], b"hello world", &[0x30, 0x80], &[0xff; 64]] {
        let failure = verify(&verifier(&pki), garbage).expect_err("refused");
        assert_eq!(failure.code(), "malformed", "{garbage:?}");
    }
}

#[test]
fn truncated_input_is_malformed_at_every_length() {
    let pki = Pki::new(false);
    let verifier = verifier(&pki);
    let der = sign(CHALLENGE, &pki.citizen, &pki.intermediate);
    let ber = to_ber(&der);
    for message in [der, ber] {
        for cut in (0..message.len()).step_by(7) {
            let failure = verify(&verifier, &message[..cut]).expect_err("refused");
            assert_eq!(failure.code(), "malformed", "cut at {cut}");
        }
    }
}

#[test]
fn content_info_that_is_not_signed_data_is_refused() {
    // ContentInfo { id-data, [0] OCTET STRING "x" }
    let data = [
        0x30, 0x10, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x03,
        0x04, 0x01, b'x',
    ];
    assert_eq!(
        encapsulated_content(&data),
        Err(EsignFailure::NotSignedData)
    );
}

#[test]
fn oversize_input_is_refused_before_decoding() {
    let oversize = vec![0x30; MAX_PKCS7_LEN + 1];
    assert_eq!(
        encapsulated_content(&oversize),
        Err(EsignFailure::TooLarge {
            limit: MAX_PKCS7_LEN
        })
    );
    let base64_text = "A".repeat(MAX_PKCS7_LEN * 2);
    assert_eq!(
        decode_base64_pkcs7(&base64_text),
        Err(EsignFailure::TooLarge {
            limit: MAX_PKCS7_LEN
        })
    );
}

#[test]
fn base64_with_line_breaks_decodes() {
    assert_eq!(
        decode_base64_pkcs7("MIAG\r\nCSqG\n"),
        Ok(vec![0x30, 0x80, 0x06, 0x09, 0x2a, 0x86])
    );
    assert_eq!(
        decode_base64_pkcs7("not base64!").map_err(|e| e.code()),
        Err("malformed")
    );
}
