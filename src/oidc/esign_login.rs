//! E-signature sign-in (E-IMZO compatible): a single-use challenge bound to the browser and the
//! pending authorization request, signed into an attached PKCS#7 by the citizen's qualified
//! certificate, verified, and mapped to an account by PINFL.
//!
//! Order matters (shared/reference/esign.md §8): the challenge inside the signature is consumed
//! atomically before any signature work, so a replay can never race the check. Every attempt is
//! written to the audit trail with its precise reason; the caller only learns "refused".

use std::net::IpAddr;
use std::sync::Arc;

use super::provider::Provider;
use crate::auth::AuthContext;
use crate::auth::login::acr;
use crate::config::EsignPolicy;
use crate::crypto::{random_id, random_token, sha256, token_hash};
use crate::esign::{EsignFailure, SignatureVerifier, VerifiedSigner};
use crate::esign::{decode_base64_pkcs7, encapsulated_content};
use crate::store::{Account, ActingOrganization, EsignAttempt, EsignChallenge, StoreError};

/// The e-signature method: the verifier and its policy.
pub struct EsignLogin {
    pub verifier: Arc<dyn SignatureVerifier>,
    pub policy: EsignPolicy,
}

impl std::fmt::Debug for EsignLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EsignLogin")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EsignSignInError {
    /// The signature, certificate, challenge or account did not check out. The precise reason
    /// is in the audit trail, never in the response.
    #[error("e-signature sign-in refused")]
    Refused,
    #[error("internal error: {0}")]
    Internal(#[from] StoreError),
}

/// A successful e-signature sign-in.
#[derive(Debug, Clone)]
pub struct EsignSignedIn {
    pub account: Account,
    pub context: AuthContext,
    /// Set when the certificate is a company certificate.
    pub organization: Option<ActingOrganization>,
}

/// Why an attempt failed before or besides the verifier's own reasons.
enum Refusal {
    Verifier(EsignFailure),
    /// Missing, expired, foreign-browser or already used challenge (E-IMZO status -20).
    Challenge(&'static str),
    UnknownPinfl,
    AccountDisabled,
}

impl Refusal {
    fn code(&self) -> &'static str {
        match self {
            Self::Verifier(failure) => failure.code(),
            Self::Challenge(code) => code,
            Self::UnknownPinfl => "unknown_pinfl",
            Self::AccountDisabled => "account_disabled",
        }
    }

    fn status(&self) -> i64 {
        match self {
            Self::Verifier(failure) => i64::from(failure.esign_status()),
            Self::Challenge(_) => -20,
            Self::UnknownPinfl | Self::AccountDisabled => -30,
        }
    }
}

/// The `amr` value for a qualified e-signature (a Yagona value, documented in README; RFC 8176
/// has none for a certificate signature).
pub const ESIGN_AMR: &str = "esign";

impl Provider {
    /// A fresh 256-bit challenge for this browser (`binding`: hash of its CSRF cookie) and this
    /// pending request. Returned in clear once; stored only as a hash.
    pub async fn esign_challenge(
        &self,
        binding: &[u8],
        request_handle: &str,
    ) -> Result<String, StoreError> {
        let ttl = self.esign.as_ref().map_or(120, |e| e.policy.challenge_ttl);
        let challenge = random_token();
        let now = self.now();
        self.store
            .put_esign_challenge(&EsignChallenge {
                challenge_hash: token_hash(&challenge),
                binding_hash: binding.to_vec(),
                request_hash: token_hash(request_handle),
                created_at: now,
                expires_at: now + ttl,
            })
            .await?;
        Ok(challenge)
    }

    /// Checks a posted PKCS#7 (Base64) and finds the citizen it identifies.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn esign_sign_in(
        &self,
        pkcs7_base64: &str,
        binding: &[u8],
        request_handle: &str,
        address: Option<IpAddr>,
    ) -> Result<EsignSignedIn, EsignSignInError> {
        let Some(esign) = &self.esign else {
            return Err(EsignSignInError::Refused);
        };
        let outcome = self
            .check_esign(esign, pkcs7_base64, binding, request_handle, address)
            .await;
        let (signer, result) = match outcome {
            Ok((signer, account)) => (Some(signer), Ok(account)),
            Err((signer, refusal)) => (signer, Err(refusal)),
        };
        self.audit_esign(signer.as_ref(), &result, address).await?;
        let account = result.map_err(|_| EsignSignInError::Refused)?;
        let Some(signer) = signer else {
            return Err(EsignSignInError::Refused);
        };
        let organization = signer
            .organization_tin
            .clone()
            .map(|tin| ActingOrganization {
                tin,
                name: signer.organization_name.clone(),
            });
        Ok(EsignSignedIn {
            account,
            context: AuthContext {
                amr: vec![ESIGN_AMR.into()],
                acr: acr::ESIGN.into(),
            },
            organization,
        })
    }

    async fn check_esign(
        &self,
        esign: &EsignLogin,
        pkcs7_base64: &str,
        binding: &[u8],
        request_handle: &str,
        address: Option<IpAddr>,
    ) -> Result<(VerifiedSigner, Account), (Option<VerifiedSigner>, Refusal)> {
        let now = self.now();
        let der = decode_base64_pkcs7(pkcs7_base64).map_err(|f| (None, Refusal::Verifier(f)))?;
        let content = encapsulated_content(&der).map_err(|f| (None, Refusal::Verifier(f)))?;
        // Signing tools may add a line ending to the signed text.
        let challenge = String::from_utf8_lossy(&content).trim().to_owned();
        let taken = self
            .store
            .take_esign_challenge(&token_hash(&challenge), binding, now)
            .await
            .map_err(|_| (None, Refusal::Challenge("challenge_store_error")))?;
        match taken {
            None => {
                return Err((
                    None,
                    Refusal::Challenge("challenge_unknown_used_or_expired"),
                ));
            }
            Some(c) if c.request_hash != token_hash(request_handle) => {
                return Err((None, Refusal::Challenge("challenge_for_another_request")));
            }
            Some(_) => {}
        }
        let verified = match address {
            Some(ip) => esign.verifier.verify_for_client(&der, now, ip).await,
            None => esign.verifier.verify(&der, now).await,
        };
        let signer = verified.map_err(|f| (None, Refusal::Verifier(f)))?;
        match self.esign_account(esign, &signer).await {
            Ok(account) => Ok((signer, account)),
            Err(refusal) => Err((Some(signer), refusal)),
        }
    }

    /// The account with the signer's PINFL; an unknown PINFL is refused or creates an account,
    /// as configured.
    async fn esign_account(
        &self,
        esign: &EsignLogin,
        signer: &VerifiedSigner,
    ) -> Result<Account, Refusal> {
        let now = self.now();
        let existing = self
            .store
            .account_by_login(&signer.pinfl)
            .await
            .map_err(|_| Refusal::Challenge("account_store_error"))?
            .filter(|a| a.pinfl.as_deref() == Some(signer.pinfl.as_str()));
        let account = match existing {
            Some(account) if account.disabled => return Err(Refusal::AccountDisabled),
            Some(account) => account,
            None if esign.policy.unknown_pinfl == "create" => {
                let account = account_from_certificate(signer, now);
                self.store
                    .create_account(&account)
                    .await
                    .map_err(|_| Refusal::Challenge("account_store_error"))?;
                account
            }
            None => return Err(Refusal::UnknownPinfl),
        };
        self.store
            .mark_verified(&account.id, "esign", now)
            .await
            .map_err(|_| Refusal::Challenge("account_store_error"))?;
        Ok(account)
    }

    async fn audit_esign(
        &self,
        signer: Option<&VerifiedSigner>,
        result: &Result<Account, Refusal>,
        address: Option<IpAddr>,
    ) -> Result<(), StoreError> {
        let (outcome, status, account_id) = match result {
            Ok(account) => ("ok", 1, Some(account.id.clone())),
            Err(refusal) => (refusal.code(), refusal.status(), None),
        };
        if let Err(refusal) = result {
            tracing::info!(
                code = refusal.code(),
                status = refusal.status(),
                "e-signature sign-in refused"
            );
        }
        self.store
            .record_esign_attempt(&EsignAttempt {
                id: random_id(),
                created_at: self.now(),
                outcome: outcome.to_owned(),
                status,
                issuer_dn: signer.map(|s| s.issuer_dn.clone()),
                serial: signer.map(|s| s.serial_hex.clone()),
                certificate_sha256: signer.map(|s| s.certificate_sha256_hex.clone()),
                pinfl_hash: signer.map(|s| hex::encode(sha256(s.pinfl.as_bytes()))),
                account_id,
                client_address: address.map(|a| a.to_string()),
            })
            .await
    }
}

/// A new account from a certificate: PINFL, and names from `CN` ("SURNAME GIVEN PATRONYMIC").
fn account_from_certificate(signer: &VerifiedSigner, now: i64) -> Account {
    let mut names = signer
        .common_name
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned);
    let family_name = names.next();
    let given_name = names.next();
    let middle: Vec<String> = names.collect();
    Account {
        id: random_id(),
        username: None,
        email: None,
        email_verified: false,
        phone: None,
        phone_verified: false,
        pinfl: Some(signer.pinfl.clone()),
        given_name,
        family_name,
        middle_name: (!middle.is_empty()).then(|| middle.join(" ")),
        birthdate: None,
        password_hash: None,
        locale: None,
        disabled: false,
        created_at: now,
        updated_at: now,
    }
}
