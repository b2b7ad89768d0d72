//! Revocation from CRL files (RFC 5280 §5, §6.3): each certificate in the path below the trust
//! anchor is looked up in a CRL from its issuer whose signature verifies with the issuer's key
//! and which is current at `now`.

use super::EsignFailure;
use super::algorithms::AlgorithmRegistry;
use super::certificate::{ParsedCertificate, ParsedCrl};
use super::path::ValidatedPath;
use super::trust_store::TrustStore;

/// How certificate revocation is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RevocationPolicy {
    /// Every issuer in the path must have a CRL loaded (fails closed). The default.
    #[default]
    Crl,
    /// Check against a CRL when one from the issuer is loaded; pass otherwise.
    CrlIfAvailable,
    /// No revocation checking: for tests and structure checks only.
    None,
}

/// Revocation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RevocationOptions {
    /// Which certificates need a CRL.
    pub policy: RevocationPolicy,
    /// Use a CRL past its `nextUpdate` instead of failing closed.
    pub allow_stale_crl: bool,
}

/// Check every non-anchor certificate of `path` against its issuer's CRL.
pub(crate) fn check_path(
    path: &ValidatedPath<'_>,
    store: &TrustStore,
    registry: &AlgorithmRegistry,
    now: i64,
    options: RevocationOptions,
) -> Result<(), EsignFailure> {
    if options.policy == RevocationPolicy::None {
        return Ok(());
    }
    for pair in path.certificates.windows(2) {
        let [subject, issuer] = pair else { continue };
        check_certificate(subject, issuer, store, registry, now, options)?;
    }
    Ok(())
}

fn check_certificate(
    subject: &ParsedCertificate,
    issuer: &ParsedCertificate,
    store: &TrustStore,
    registry: &AlgorithmRegistry,
    now: i64,
    options: RevocationOptions,
) -> Result<(), EsignFailure> {
    let crls: Vec<&ParsedCrl> = store
        .crls()
        .iter()
        .filter(|crl| crl.issuer_der == subject.issuer_der)
        .collect();
    if crls.is_empty() {
        return match options.policy {
            RevocationPolicy::Crl => Err(EsignFailure::CrlUnavailable(issuer.subject_text())),
            RevocationPolicy::CrlIfAvailable | RevocationPolicy::None => Ok(()),
        };
    }
    for crl in &crls {
        check_crl_authentic(crl, issuer, registry)?;
    }
    let crl = choose_crl(&crls, issuer, now, options.allow_stale_crl)?;
    if crl.lists_serial(subject.cert.tbs_certificate.serial_number.as_bytes()) {
        return Err(EsignFailure::Revoked(format!(
            "{} serial {}",
            subject.subject_text(),
            subject.serial_hex()
        )));
    }
    Ok(())
}

/// The CRL is signed by `issuer`, `issuer` may sign CRLs, and it is a complete CRL.
fn check_crl_authentic(
    crl: &ParsedCrl,
    issuer: &ParsedCertificate,
    registry: &AlgorithmRegistry,
) -> Result<(), EsignFailure> {
    let name = issuer.subject_text();
    crl.verify_signed_by(issuer, registry)
        .map_err(|e| EsignFailure::CrlInvalid(format!("CRL of {name}: {e}")))?;
    if let Some(usage) = &issuer.key_usage
        && !usage.crl_sign()
    {
        return Err(EsignFailure::CrlInvalid(format!("{name} lacks cRLSign")));
    }
    if let Some(oid) = crl.unknown_critical_extension() {
        return Err(EsignFailure::CrlInvalid(format!(
            "CRL of {name} has unsupported critical extension {oid}"
        )));
    }
    Ok(())
}

/// The newest CRL current at `now` (`thisUpdate ≤ now < nextUpdate`); a CRL without
/// `nextUpdate` is never current. With `allow_stale`, the newest one already issued is used.
fn choose_crl<'a>(
    crls: &[&'a ParsedCrl],
    issuer: &ParsedCertificate,
    now: i64,
    allow_stale: bool,
) -> Result<&'a ParsedCrl, EsignFailure> {
    let issued: Vec<&'a ParsedCrl> = crls
        .iter()
        .copied()
        .filter(|crl| crl.this_update <= now)
        .collect();
    let newest = |list: &[&'a ParsedCrl]| list.iter().copied().max_by_key(|crl| crl.this_update);
    let current: Vec<&'a ParsedCrl> = issued
        .iter()
        .copied()
        .filter(|crl| crl.next_update.is_some_and(|next| now < next))
        .collect();
    if let Some(crl) = newest(&current) {
        return Ok(crl);
    }
    match newest(&issued) {
        Some(crl) if allow_stale => Ok(crl),
        _ => Err(EsignFailure::CrlStale(issuer.subject_text())),
    }
}
