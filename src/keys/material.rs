//! Private key material: generating keys (the `rsa` crate for RSA, because ring cannot;
//! ring for P-256), writing them as PKCS#8 PEM, and parsing them once into ring key pairs.

use std::num::NonZeroU32;
use std::path::Path;

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair,
    RsaPublicKeyComponents,
};
use rsa::pkcs8::EncodePrivateKey as _;
use rsa::pkcs8::der::pem::{self, LineEnding};
use rsa::pkcs8::der::zeroize::Zeroizing;

use super::manifest::ManifestEntry;
use super::public_key::PublicKey;
use super::{KeyError, SigningAlg, files};
use crate::clock::UnixTime;

/// RSA modulus size for RS256 keys (RFC 7518 §3.3 requires at least 2048 bits).
const RSA_BITS: usize = 2048;
/// PEM label of an unencrypted PKCS#8 private key (RFC 7468 §10).
const PKCS8_PEM_LABEL: &str = "PRIVATE KEY";
/// How many kid characters go into a key file name, to tell files apart at a glance.
const KID_CHARS_IN_FILE_NAME: usize = 12;

/// A private key parsed into ring, ready to sign.
pub(super) enum SigningKeyPair {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
}

impl SigningKeyPair {
    pub(super) fn alg(&self) -> SigningAlg {
        match self {
            Self::Rsa(_) => SigningAlg::RS256,
            Self::Ecdsa(_) => SigningAlg::ES256,
        }
    }

    /// The JWS signature over `message`: RSASSA-PKCS1-v1_5 SHA-256, or ECDSA P-256 SHA-256 as
    /// fixed-length `r || s` (RFC 7518 §3.3, §3.4).
    pub(super) fn sign(&self, rng: &SystemRandom, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let failed = |_| KeyError::Signing(self.alg());
        match self {
            Self::Rsa(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, rng, message, &mut signature)
                    .map_err(failed)?;
                Ok(signature)
            }
            Self::Ecdsa(pair) => Ok(pair.sign(rng, message).map_err(failed)?.as_ref().to_vec()),
        }
    }

    /// The public half, in the form verification and the JWKS need.
    pub(super) fn public_key(&self) -> PublicKey {
        match self {
            Self::Rsa(pair) => PublicKey::Rsa(RsaPublicKeyComponents::from(pair.public())),
            Self::Ecdsa(pair) => PublicKey::ec(pair.public_key().as_ref().to_vec()),
        }
    }
}

/// Generates a new `alg` key, writes it into `signing_dir` (0600) and returns its manifest
/// entry, active from `now`.
pub(super) fn generate_key_file(
    signing_dir: &Path,
    alg: SigningAlg,
    now: UnixTime,
) -> Result<ManifestEntry, KeyError> {
    let rng = SystemRandom::new();
    let pem = generate_pkcs8_pem(alg, &rng)?;
    let pair = parse_pkcs8_pem(pem.as_bytes(), alg, &rng)
        .map_err(|reason| KeyError::Generation { alg, reason })?;
    let kid = pair.public_key().thumbprint();
    let kid_prefix: String = kid.chars().take(KID_CHARS_IN_FILE_NAME).collect();
    let file = format!("{}-{now}-{kid_prefix}.pem", alg.as_str().to_lowercase());
    files::write_private_key(&signing_dir.join(&file), pem.as_bytes())?;
    Ok(ManifestEntry {
        file,
        alg,
        kid,
        created_at: now,
        retire_at: None,
    })
}

/// Reads and parses the private key at `path`, checking that its thumbprint is `expected_kid`
/// (so a swapped or replaced file is caught at start-up).
pub(super) fn load_key_file(
    path: &Path,
    alg: SigningAlg,
    expected_kid: &str,
    rng: &SystemRandom,
) -> Result<SigningKeyPair, KeyError> {
    let pem = files::read_private_key(path)?;
    let pair = parse_pkcs8_pem(&pem, alg, rng).map_err(|reason| KeyError::InvalidKey {
        path: path.to_path_buf(),
        alg,
        reason,
    })?;
    let actual = pair.public_key().thumbprint();
    if actual != expected_kid {
        return Err(KeyError::KidMismatch {
            path: path.to_path_buf(),
            expected: expected_kid.to_owned(),
            actual,
        });
    }
    Ok(pair)
}

/// Parses a PKCS#8 PEM private key of algorithm `alg` into a ring key pair. The error is a
/// reason to attach to the file name.
fn parse_pkcs8_pem(
    pem_text: &[u8],
    alg: SigningAlg,
    rng: &SystemRandom,
) -> Result<SigningKeyPair, String> {
    let (label, der) = pem::decode_vec(pem_text).map_err(|error| format!("bad PEM: {error}"))?;
    let der = Zeroizing::new(der);
    if label != PKCS8_PEM_LABEL {
        return Err(format!(
            "PEM label is {label:?}, expected {PKCS8_PEM_LABEL:?}"
        ));
    }
    let rejected = |error: ring::error::KeyRejected| format!("rejected by ring: {error}");
    match alg {
        SigningAlg::RS256 => RsaKeyPair::from_pkcs8(&der)
            .map(SigningKeyPair::Rsa)
            .map_err(rejected),
        SigningAlg::ES256 => EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, rng)
            .map(SigningKeyPair::Ecdsa)
            .map_err(rejected),
    }
}

/// A fresh private key as PKCS#8 PEM; the buffer is wiped when dropped.
fn generate_pkcs8_pem(alg: SigningAlg, rng: &SystemRandom) -> Result<Zeroizing<String>, KeyError> {
    let failed = |reason: String| KeyError::Generation { alg, reason };
    match alg {
        SigningAlg::RS256 => {
            let key = rsa::RsaPrivateKey::new(&mut RingRng(rng), RSA_BITS)
                .map_err(|error| failed(error.to_string()))?;
            key.to_pkcs8_pem(LineEnding::LF)
                .map_err(|error| failed(error.to_string()))
        }
        SigningAlg::ES256 => {
            let document = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, rng)
                .map_err(|_| failed("ring could not generate a P-256 key".to_owned()))?;
            pem::encode_string(PKCS8_PEM_LABEL, LineEnding::LF, document.as_ref())
                .map(Zeroizing::new)
                .map_err(|error| failed(error.to_string()))
        }
    }
}

/// ring's system CSPRNG seen through the `rand_core` traits the `rsa` crate wants, so RSA
/// generation draws from the same source as everything else (and needs no `getrandom`
/// feature of `rand_core`).
struct RingRng<'a>(&'a SystemRandom);

/// `rand_core` error code reported when the operating system's generator fails.
const RNG_FAILURE: NonZeroU32 = match NonZeroU32::new(rsa::rand_core::Error::CUSTOM_START) {
    Some(code) => code,
    None => NonZeroU32::MAX,
};

impl rsa::rand_core::RngCore for RingRng<'_> {
    fn next_u32(&mut self) -> u32 {
        rsa::rand_core::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        rsa::rand_core::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // Same policy as `crypto::random_bytes`: without an OS entropy source no key can be
        // generated safely, and this trait method has no way to report the failure.
        #[allow(clippy::expect_used)]
        self.try_fill_bytes(dest)
            .expect("operating system random number generator failed");
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.0
            .fill(dest)
            .map_err(|_| rsa::rand_core::Error::from(RNG_FAILURE))
    }
}

impl rsa::rand_core::CryptoRng for RingRng<'_> {}
