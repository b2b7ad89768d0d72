//! Certificate path, validity, key usage, revocation and identity checks.

use x509_cert::ext::pkix::KeyUsages;

use super::pki::{CertSpec, DAY, Issued, NOW, PINFL, Pki, TestKey, citizen_name, crl, issue, name};
use super::signing::sign;
use super::{verifier, verifier_with, verify};
use crate::esign::{
    AlgorithmRegistry, EsignFailure, NativeVerifier, NativeVerifierConfig, RevocationOptions,
    RevocationPolicy, TrustStore,
};

const CHALLENGE: &[u8] = b"challenge-for-chain-tests";

fn citizen_leaf(pki: &Pki, change: impl FnOnce(&mut CertSpec)) -> Issued {
    let mut spec = CertSpec::leaf(citizen_name(Some(PINFL)), 300);
    change(&mut spec);
    pki.leaf(&spec, TestKey::p256())
}

fn verify_leaf(pki: &Pki, leaf: &Issued) -> Result<crate::esign::VerifiedSigner, EsignFailure> {
    verify(&verifier(pki), &sign(CHALLENGE, leaf, &pki.intermediate))
}

#[test]
fn expired_leaf_is_refused() {
    let pki = Pki::new(false);
    let leaf = citizen_leaf(&pki, |s| s.not_after = NOW - 1);
    let failure = verify_leaf(&pki, &leaf).expect_err("refused");
    assert!(
        matches!(failure, EsignFailure::CertificateExpired(_)),
        "{failure:?}"
    );
    assert_eq!(failure.esign_status(), -12);
}

#[test]
fn not_yet_valid_leaf_is_refused() {
    let pki = Pki::new(false);
    let leaf = citizen_leaf(&pki, |s| s.not_before = NOW + 60);
    let failure = verify_leaf(&pki, &leaf).expect_err("refused");
    assert!(
        matches!(failure, EsignFailure::CertificateNotYetValid(_)),
        "{failure:?}"
    );
}

#[test]
fn leaf_without_signing_key_usage_is_refused() {
    let pki = Pki::new(false);
    let leaf = citizen_leaf(&pki, |s| {
        s.key_usage = Some(KeyUsages::KeyEncipherment);
        s.extra_key_usage.clear();
    });
    assert!(matches!(
        verify_leaf(&pki, &leaf),
        Err(EsignFailure::KeyUsage(_))
    ));
}

#[test]
fn leaf_with_only_non_repudiation_is_accepted() {
    let pki = Pki::new(false);
    let leaf = citizen_leaf(&pki, |s| {
        s.key_usage = Some(KeyUsages::NonRepudiation);
        s.extra_key_usage.clear();
    });
    assert!(verify_leaf(&pki, &leaf).is_ok());
}

#[test]
fn untrusted_root_is_refused() {
    let pki = Pki::new(false);
    let stranger = Pki::new(false);
    let verifier = verifier_with(
        &stranger,
        stranger.fresh_crls(),
        NativeVerifierConfig::default(),
    );
    let failure =
        verify(&verifier, &sign(CHALLENGE, &pki.citizen, &pki.intermediate)).expect_err("refused");
    assert!(
        matches!(failure, EsignFailure::UntrustedChain(_)),
        "{failure:?}"
    );
    assert_eq!(failure.esign_status(), -11);
}

#[test]
fn intermediate_without_ca_flag_is_refused() {
    let pki = Pki::new(false);
    let mut spec = CertSpec::ca(name(&[("2.5.4.3", "Not A CA")]), 7);
    spec.ca = Some(false);
    let fake_ca = issue(&spec, TestKey::p256(), Some(&pki.root));
    let leaf = issue(
        &CertSpec::leaf(citizen_name(Some(PINFL)), 8),
        TestKey::p256(),
        Some(&fake_ca),
    );
    let crls = vec![
        crl(&pki.root, NOW - DAY, NOW + DAY, &[]),
        crl(&fake_ca, NOW - DAY, NOW + DAY, &[]),
    ];
    let verifier = verifier_with(&pki, crls, NativeVerifierConfig::default());
    let failure = verify(&verifier, &sign(CHALLENGE, &leaf, &fake_ca)).expect_err("refused");
    assert!(
        matches!(failure, EsignFailure::NotACa(ref who) if who.contains("Not A CA")),
        "{failure:?}"
    );
}

#[test]
fn intermediate_without_key_cert_sign_is_refused() {
    let pki = Pki::new(false);
    let mut spec = CertSpec::ca(name(&[("2.5.4.3", "CRL-only CA")]), 9);
    spec.key_usage = Some(KeyUsages::CRLSign);
    spec.extra_key_usage.clear();
    let ca = issue(&spec, TestKey::p256(), Some(&pki.root));
    let leaf = issue(
        &CertSpec::leaf(citizen_name(Some(PINFL)), 10),
        TestKey::p256(),
        Some(&ca),
    );
    let verifier = verifier_with(&pki, vec![], NativeVerifierConfig::default());
    assert!(matches!(
        verify(&verifier, &sign(CHALLENGE, &leaf, &ca)),
        Err(EsignFailure::KeyUsage(_))
    ));
}

#[test]
fn intermediate_from_the_trust_store_completes_a_path() {
    let pki = Pki::new(false);
    let info =
        super::signing::signer_info(&super::signing::SignerSpec::new(&pki.citizen), CHALLENGE);
    let leaf_only = super::signing::signed_data(CHALLENGE, &[&pki.citizen], vec![info]);
    assert!(matches!(
        verify(&verifier(&pki), &leaf_only),
        Err(EsignFailure::UntrustedChain(_))
    ));
    let store = TrustStore::from_der(
        std::slice::from_ref(&pki.root.der),
        std::slice::from_ref(&pki.intermediate.der),
        &pki.fresh_crls(),
    )
    .expect("store");
    let verifier = NativeVerifier::new(
        store,
        AlgorithmRegistry::with_defaults(),
        NativeVerifierConfig::default(),
    );
    assert!(verify(&verifier, &leaf_only).is_ok());
}

#[test]
fn path_longer_than_the_depth_limit_is_refused() {
    let pki = Pki::new(false);
    let config = NativeVerifierConfig {
        max_path_depth: 2,
        ..NativeVerifierConfig::default()
    };
    let verifier = verifier_with(&pki, pki.fresh_crls(), config);
    let failure =
        verify(&verifier, &sign(CHALLENGE, &pki.citizen, &pki.intermediate)).expect_err("refused");
    assert!(
        matches!(failure, EsignFailure::UntrustedChain(ref why) if why.contains("within 2")),
        "{failure:?}"
    );
}

#[test]
fn revoked_leaf_is_refused() {
    let pki = Pki::new(false);
    let crls = vec![
        crl(&pki.root, NOW - DAY, NOW + DAY, &[]),
        crl(&pki.intermediate, NOW - DAY, NOW + DAY, &[5, 100]),
    ];
    let verifier = verifier_with(&pki, crls, NativeVerifierConfig::default());
    let failure =
        verify(&verifier, &sign(CHALLENGE, &pki.citizen, &pki.intermediate)).expect_err("refused");
    assert!(
        matches!(failure, EsignFailure::Revoked(ref why) if why.contains("64")),
        "{failure:?}"
    );
    assert_eq!(failure.esign_status(), -1);
}

#[test]
fn revoked_intermediate_is_refused() {
    let pki = Pki::new(false);
    let crls = vec![
        crl(&pki.root, NOW - DAY, NOW + DAY, &[2]),
        crl(&pki.intermediate, NOW - DAY, NOW + DAY, &[]),
    ];
    let verifier = verifier_with(&pki, crls, NativeVerifierConfig::default());
    let failure =
        verify(&verifier, &sign(CHALLENGE, &pki.citizen, &pki.intermediate)).expect_err("refused");
    assert!(
        matches!(failure, EsignFailure::Revoked(ref why) if why.contains("Test Citizen CA")),
        "{failure:?}"
    );
}

fn stale_crls(pki: &Pki) -> Vec<Vec<u8>> {
    vec![
        crl(&pki.root, NOW - DAY, NOW + DAY, &[]),
        crl(&pki.intermediate, NOW - 8 * DAY, NOW - DAY, &[]),
    ]
}

#[test]
fn stale_crl_fails_closed() {
    let pki = Pki::new(false);
    let verifier = verifier_with(&pki, stale_crls(&pki), NativeVerifierConfig::default());
    let failure =
        verify(&verifier, &sign(CHALLENGE, &pki.citizen, &pki.intermediate)).expect_err("refused");
    assert!(matches!(failure, EsignFailure::CrlStale(_)), "{failure:?}");
}

#[test]
fn stale_crl_is_used_when_allowed() {
    let pki = Pki::new(false);
    let revocation = RevocationOptions {
        allow_stale_crl: true,
        ..RevocationOptions::default()
    };
    let config = NativeVerifierConfig {
        revocation,
        ..NativeVerifierConfig::default()
    };
    let verifier = verifier_with(&pki, stale_crls(&pki), config);
    assert!(verify(&verifier, &sign(CHALLENGE, &pki.citizen, &pki.intermediate)).is_ok());
}

#[test]
fn crl_signed_by_another_key_is_invalid() {
    let pki = Pki::new(false);
    let impostor = issue(
        &CertSpec::ca(pki.intermediate.cert.tbs_certificate.subject.clone(), 99),
        TestKey::p256(),
        None,
    );
    let crls = vec![
        crl(&pki.root, NOW - DAY, NOW + DAY, &[]),
        crl(&impostor, NOW - DAY, NOW + DAY, &[]),
    ];
    let verifier = verifier_with(&pki, crls, NativeVerifierConfig::default());
    let failure =
        verify(&verifier, &sign(CHALLENGE, &pki.citizen, &pki.intermediate)).expect_err("refused");
    assert!(
        matches!(failure, EsignFailure::CrlInvalid(_)),
        "{failure:?}"
    );
}

#[test]
fn missing_crl_fails_closed_unless_policy_allows() {
    let pki = Pki::new(false);
    let message = sign(CHALLENGE, &pki.citizen, &pki.intermediate);
    let strict = verifier_with(&pki, vec![], NativeVerifierConfig::default());
    assert!(matches!(
        verify(&strict, &message),
        Err(EsignFailure::CrlUnavailable(_))
    ));
    for policy in [RevocationPolicy::CrlIfAvailable, RevocationPolicy::None] {
        let revocation = RevocationOptions {
            policy,
            allow_stale_crl: false,
        };
        let lenient = verifier_with(
            &pki,
            vec![],
            NativeVerifierConfig {
                revocation,
                ..NativeVerifierConfig::default()
            },
        );
        assert!(verify(&lenient, &message).is_ok(), "{policy:?}");
    }
}

#[test]
fn certificate_without_pinfl_is_refused() {
    let pki = Pki::new(false);
    let leaf = pki.leaf(&CertSpec::leaf(citizen_name(None), 301), TestKey::p256());
    assert_eq!(verify_leaf(&pki, &leaf), Err(EsignFailure::MissingPinfl));
}

#[test]
fn thirteen_digit_pinfl_is_refused() {
    let pki = Pki::new(false);
    let leaf = pki.leaf(
        &CertSpec::leaf(citizen_name(Some("3123456789012")), 302),
        TestKey::p256(),
    );
    assert_eq!(verify_leaf(&pki, &leaf), Err(EsignFailure::MalformedPinfl));
}

#[test]
fn trust_store_loads_the_documented_layout_in_pem_and_der() {
    let pki = Pki::new(false);
    let dir = tempfile::tempdir().expect("temp dir");
    for sub in ["roots", "intermediates", "crls"] {
        std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
    }
    let pem = |label: &str, der: &[u8]| {
        der::pem::encode_string(label, der::pem::LineEnding::LF, der).expect("pem")
    };
    std::fs::write(
        dir.path().join("roots/root.pem"),
        pem("CERTIFICATE", &pki.root.der),
    )
    .expect("write");
    std::fs::write(dir.path().join("roots/README.md"), "ignored").expect("write");
    std::fs::write(
        dir.path().join("intermediates/citizen-ca.der"),
        &pki.intermediate.der,
    )
    .expect("write");
    let crls = pki.fresh_crls();
    std::fs::write(dir.path().join("crls/root.crl"), &crls[0]).expect("write");
    std::fs::write(
        dir.path().join("crls/citizen-ca.pem"),
        pem("X509 CRL", &crls[1]),
    )
    .expect("write");
    let store = TrustStore::load(dir.path()).expect("loads");
    assert_eq!(store.counts(), (1, 1, 2));
    let verifier = NativeVerifier::new(
        store,
        AlgorithmRegistry::with_defaults(),
        NativeVerifierConfig::default(),
    );
    let info =
        super::signing::signer_info(&super::signing::SignerSpec::new(&pki.citizen), CHALLENGE);
    let leaf_only = super::signing::signed_data(CHALLENGE, &[&pki.citizen], vec![info]);
    assert!(verify(&verifier, &leaf_only).is_ok());

    std::fs::write(
        dir.path().join("crls/broken.pem"),
        pem("X509 CRL", b"not a crl"),
    )
    .expect("write");
    assert!(matches!(
        TrustStore::load(dir.path()),
        Err(crate::esign::TrustStoreError::Parse { .. })
    ));
}
