//! Certification path building and validation (RFC 5280 §6, the subset the sign-in needs):
//! signer → intermediates → trust anchor, checking every hop's signature, validity at `now`,
//! basic constraints and key usage, with bounded depth.

use super::EsignFailure;
use super::algorithms::AlgorithmRegistry;
use super::certificate::ParsedCertificate;
use super::trust_store::TrustStore;

/// Everything path validation needs.
pub(crate) struct PathContext<'a> {
    pub store: &'a TrustStore,
    /// Certificates carried in the message (may hold intermediates and the leaf itself).
    pub message_certificates: &'a [ParsedCertificate],
    pub registry: &'a AlgorithmRegistry,
    pub now: i64,
    /// Maximum number of certificates in the path, anchor included.
    pub max_depth: usize,
}

/// A validated path: `certificates[0]` is the leaf, the last one the trust anchor.
pub(crate) struct ValidatedPath<'a> {
    pub certificates: Vec<&'a ParsedCertificate>,
}

impl<'a> PathContext<'a> {
    /// Validate `leaf` as a signing certificate and build a path to a trust anchor.
    pub fn validate(&self, leaf: &'a ParsedCertificate) -> Result<ValidatedPath<'a>, EsignFailure> {
        check_no_unknown_critical(leaf)?;
        leaf.valid_at(self.now)?;
        check_leaf_key_usage(leaf)?;
        let mut path = vec![leaf];
        self.extend(&mut path)?;
        Ok(ValidatedPath { certificates: path })
    }

    /// Depth-first search for an issuer of the last certificate in `path`. The first complete
    /// path wins; otherwise the most specific failure seen is returned.
    fn extend(&self, path: &mut Vec<&'a ParsedCertificate>) -> Result<(), EsignFailure> {
        let Some(child) = path.last().copied() else {
            return Err(EsignFailure::UntrustedChain("empty path".into()));
        };
        if path.len() >= self.max_depth {
            return Err(EsignFailure::UntrustedChain(format!(
                "no trust anchor within {} certificates",
                self.max_depth
            )));
        }
        let mut best =
            EsignFailure::UntrustedChain(format!("no trusted issuer for {}", child.subject_text()));
        for anchor in self
            .store
            .anchors()
            .iter()
            .filter(|a| a.may_have_issued(child))
        {
            match self.check_issuer(child, anchor, path.len()) {
                Ok(()) => {
                    path.push(anchor);
                    return Ok(());
                }
                Err(failure) => best = more_specific(best, failure),
            }
        }
        for issuer in self.intermediate_candidates(child, path) {
            if let Err(failure) = self.check_issuer(child, issuer, path.len()) {
                best = more_specific(best, failure);
                continue;
            }
            path.push(issuer);
            match self.extend(path) {
                Ok(()) => return Ok(()),
                Err(failure) => {
                    path.pop();
                    best = more_specific(best, failure);
                }
            }
        }
        Err(best)
    }

    fn intermediate_candidates(
        &self,
        child: &ParsedCertificate,
        path: &[&ParsedCertificate],
    ) -> Vec<&'a ParsedCertificate> {
        let mut candidates: Vec<&'a ParsedCertificate> = Vec::new();
        let all = self
            .message_certificates
            .iter()
            .chain(self.store.intermediates());
        for candidate in all {
            let in_path = path.iter().any(|p| p.der == candidate.der);
            let seen = candidates.iter().any(|c| c.der == candidate.der);
            if !in_path && !seen && candidate.may_have_issued(child) {
                candidates.push(candidate);
            }
        }
        candidates
    }

    /// `issuer` signed `child`, is valid now, is a CA allowed to sign certificates, and its
    /// path length constraint admits `certificates_below` non-self-issued certificates.
    fn check_issuer(
        &self,
        child: &ParsedCertificate,
        issuer: &ParsedCertificate,
        certificates_below: usize,
    ) -> Result<(), EsignFailure> {
        issuer.verify_issued(child, self.registry).map_err(|e| {
            EsignFailure::UntrustedChain(format!(
                "signature of {} by {}: {e}",
                child.subject_text(),
                issuer.subject_text()
            ))
        })?;
        check_no_unknown_critical(issuer)?;
        issuer.valid_at(self.now)?;
        let constraints = issuer
            .basic_constraints
            .as_ref()
            .filter(|bc| bc.ca)
            .ok_or_else(|| EsignFailure::NotACa(issuer.subject_text()))?;
        // RFC 5280 §4.2.1.9: pathLen counts intermediates below this CA (the leaf excluded).
        let intermediates_below = certificates_below.saturating_sub(1);
        if let Some(limit) = constraints.path_len_constraint
            && intermediates_below > usize::from(limit)
        {
            return Err(EsignFailure::NotACa(format!(
                "{}: path length exceeded",
                issuer.subject_text()
            )));
        }
        match &issuer.key_usage {
            Some(usage) if !usage.key_cert_sign() => Err(EsignFailure::KeyUsage(format!(
                "{} lacks keyCertSign",
                issuer.subject_text()
            ))),
            _ => Ok(()),
        }
    }
}

/// The signer certificate must allow digitalSignature or nonRepudiation when it carries a key
/// usage extension (RFC 5280 §4.2.1.3).
fn check_leaf_key_usage(leaf: &ParsedCertificate) -> Result<(), EsignFailure> {
    match &leaf.key_usage {
        Some(usage) if !usage.digital_signature() && !usage.non_repudiation() => {
            Err(EsignFailure::KeyUsage(format!(
                "{} lacks digitalSignature/nonRepudiation",
                leaf.subject_text()
            )))
        }
        _ => Ok(()),
    }
}

fn check_no_unknown_critical(cert: &ParsedCertificate) -> Result<(), EsignFailure> {
    match cert.unknown_critical_extension {
        Some(oid) => Err(EsignFailure::UntrustedChain(format!(
            "{} has unsupported critical extension {oid}",
            cert.subject_text()
        ))),
        None => Ok(()),
    }
}

/// Keep the failure that says most: a concrete defect beats "no issuer found".
fn more_specific(current: EsignFailure, new: EsignFailure) -> EsignFailure {
    let is_generic = |f: &EsignFailure| matches!(f, EsignFailure::UntrustedChain(reason) if reason.starts_with("no trusted issuer"));
    if is_generic(&current) && !is_generic(&new) {
        new
    } else {
        current
    }
}
