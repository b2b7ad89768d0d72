//! Signatures made by an independent implementation: `openssl cms -sign -stream -nodetach`
//! (indefinite-length BER like E-IMZO's), committed under `tests/fixtures/esign/`.

use crate::esign::{
    AlgorithmRegistry, EsignFailure, NativeVerifier, NativeVerifierConfig, SignatureVerifier,
    TrustStore, encapsulated_content,
};

const CA_PEM: &[u8] = include_bytes!("../../../tests/fixtures/esign/ca.pem");
const CA_CRL_PEM: &[u8] = include_bytes!("../../../tests/fixtures/esign/ca-crl.pem");
const CHALLENGE: &[u8] = include_bytes!("../../../tests/fixtures/esign/challenge.txt");
const SIGNATURE_ECDSA: &[u8] = include_bytes!("../../../tests/fixtures/esign/signature-ecdsa.p7s");
const SIGNATURE_RSA: &[u8] = include_bytes!("../../../tests/fixtures/esign/signature-rsa.p7s");
const SIGNED_AT: &str = include_str!("../../../tests/fixtures/esign/signed-at.txt");

fn signed_at() -> i64 {
    SIGNED_AT
        .trim()
        .parse()
        .expect("signed-at.txt holds Unix seconds")
}

/// The fixtures laid out as `keys/esign` would be.
fn openssl_verifier() -> NativeVerifier {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("roots")).expect("mkdir");
    std::fs::create_dir(dir.path().join("crls")).expect("mkdir");
    std::fs::write(dir.path().join("roots/ca.pem"), CA_PEM).expect("write");
    std::fs::write(dir.path().join("crls/ca-crl.pem"), CA_CRL_PEM).expect("write");
    let store = TrustStore::load(dir.path()).expect("trust store");
    NativeVerifier::new(
        store,
        AlgorithmRegistry::with_defaults(),
        NativeVerifierConfig::default(),
    )
}

#[test]
fn openssl_signatures_are_indefinite_length_ber_with_the_challenge() {
    for signature in [SIGNATURE_ECDSA, SIGNATURE_RSA] {
        assert_eq!(&signature[..2], &[0x30, 0x80]);
        assert_eq!(encapsulated_content(signature).as_deref(), Ok(CHALLENGE));
    }
}

#[tokio::test]
async fn openssl_ecdsa_signature_verifies() {
    let signer = openssl_verifier()
        .verify(SIGNATURE_ECDSA, signed_at() + 60)
        .await
        .expect("verifies");
    assert_eq!(signer.pinfl, "32345678901234");
    assert_eq!(signer.personal_tin.as_deref(), Some("123456789"));
    assert_eq!(signer.common_name.as_deref(), Some("SOTVOLDIYEV BOBUR"));
    assert_eq!(signer.serial_hex, "1234");
    assert_eq!(
        signer.issuer_dn,
        "CN=Yagona Test Root,O=Yagona ID test,C=UZ"
    );
    let signing_time = signer.signing_time.expect("openssl adds signingTime");
    assert!((signing_time - signed_at()).abs() < 120);
}

#[tokio::test]
async fn openssl_rsa_company_signature_verifies() {
    let signer = openssl_verifier()
        .verify(SIGNATURE_RSA, signed_at() + 60)
        .await
        .expect("verifies");
    assert_eq!(signer.pinfl, "32345678901234");
    assert_eq!(signer.organization_tin.as_deref(), Some("301234567"));
    assert_eq!(signer.organization_name.as_deref(), Some("NAMUNA LLC"));
    assert_eq!(signer.serial_hex, "1235");
}

#[test]
fn openssl_signature_twenty_one_years_later_has_expired() {
    let later = signed_at() + 21 * 365 * 86_400;
    let config = NativeVerifierConfig {
        max_signing_time_skew_secs: None,
        ..NativeVerifierConfig::default()
    };
    let lenient = NativeVerifier::new(
        roots_only_store(),
        AlgorithmRegistry::with_defaults(),
        config,
    );
    let failure = lenient
        .verify_sync(SIGNATURE_ECDSA, later)
        .expect_err("refused");
    assert!(
        matches!(failure, EsignFailure::CertificateExpired(_)),
        "{failure:?}"
    );
}

/// The fixture root without its CRL (so the expiry, not CRL freshness, is what fails).
fn roots_only_store() -> TrustStore {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("roots")).expect("mkdir");
    std::fs::write(dir.path().join("roots/ca.pem"), CA_PEM).expect("write");
    TrustStore::load(dir.path()).expect("trust store")
}

#[test]
fn openssl_signature_with_a_clock_far_from_signing_time_is_skewed() {
    let failure = openssl_verifier()
        .verify_sync(SIGNATURE_ECDSA, signed_at() + 3600)
        .expect_err("refused");
    assert_eq!(failure.code(), "signing_time_skew");
}
