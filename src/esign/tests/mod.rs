//! E-signature verifier tests: fixtures are generated here (ECDSA and RSA, DER and BER), plus
//! a few made once with the `openssl` command line (`tests/fixtures/esign/`).

mod chain;
mod delegate;
mod message;
mod openssl;
mod pki;
mod signing;

use super::{
    AlgorithmRegistry, EsignFailure, NativeVerifier, NativeVerifierConfig, TrustStore,
    VerifiedSigner,
};
use pki::{NOW, Pki};

/// A verifier trusting `pki`'s root, with `crls` and default settings.
fn verifier_with(pki: &Pki, crls: Vec<Vec<u8>>, config: NativeVerifierConfig) -> NativeVerifier {
    let store =
        TrustStore::from_der(std::slice::from_ref(&pki.root.der), &[], &crls).expect("trust store");
    NativeVerifier::new(store, AlgorithmRegistry::with_defaults(), config)
}

fn verifier(pki: &Pki) -> NativeVerifier {
    verifier_with(pki, pki.fresh_crls(), NativeVerifierConfig::default())
}

fn verify(verifier: &NativeVerifier, message: &[u8]) -> Result<VerifiedSigner, EsignFailure> {
    verifier.verify_sync(message, NOW)
}
