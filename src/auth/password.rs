//! Argon2id password hashing, off the async runtime and bounded: at most
//! `max_concurrent_hashes` hashes run at once (each needs `memory_kib` of RAM), the rest wait.
//!
//! An unknown account is verified against a dummy hash with the same parameters, so it costs
//! the same time as a wrong password (no user enumeration by timing).
//!
//! Hashes imported from the old IdP (bcrypt, Django PBKDF2, SHA-crypt, salted digests: see
//! [`legacy`]) verify too; a successful sign-in with one of them answers
//! `Valid { rehash: Some(argon2id) }` so the caller replaces it.

pub mod legacy;

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::config::PasswordPolicy;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("invalid Argon2 parameters: {0}")]
    Params(argon2::Error),
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("password hashing task failed")]
    Task,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordVerification {
    /// The password matches. `rehash` carries a new hash when the stored one used other
    /// parameters or another scheme; the caller stores it.
    Valid {
        rehash: Option<String>,
    },
    Invalid,
}

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    dummy_hash: Arc<str>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl PasswordHasher {
    pub fn new(policy: &PasswordPolicy) -> Result<Self, PasswordError> {
        let params = Params::new(
            policy.memory_kib,
            policy.iterations,
            policy.parallelism,
            None,
        )
        .map_err(PasswordError::Params)?;
        let dummy_hash = hash_blocking(&params, "dummy password for unknown accounts")?;
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(policy.max_concurrent_hashes.max(1))),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// Hashes a new password with the current policy.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let params = self.params.clone();
        self.run_bounded(move || hash_blocking(&params, &password))
            .await?
    }

    /// Verifies `password` against `stored`, or against the dummy hash when there is no stored
    /// hash (unknown account), which always answers `Invalid` after the same work.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<PasswordVerification, PasswordError> {
        let params = self.params.clone();
        let (stored, known) = match stored {
            Some(hash) => (hash, true),
            None => (self.dummy_hash.to_string(), false),
        };
        self.run_bounded(move || {
            let matches = verify_blocking(&password, &stored);
            if !(matches && known) {
                return Ok(PasswordVerification::Invalid);
            }
            let rehash = if needs_rehash(&stored, &params) {
                Some(hash_blocking(&params, &password)?)
            } else {
                None
            };
            Ok(PasswordVerification::Valid { rehash })
        })
        .await?
    }

    async fn run_bounded<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Task)?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(work))
            .await
            .map_err(|_| PasswordError::Task)
    }
}

fn argon2id(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn hash_blocking(params: &Params, password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::encode_b64(&crate::crypto::random_bytes::<16>())
        .map_err(PasswordError::Hash)?;
    argon2id(params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(PasswordError::Hash)
}

/// Verifies a stored hash in constant time: Argon2 PHC strings here (the argon2 crate compares
/// digests with `subtle`), imported legacy schemes in [`legacy::verify_legacy`]. Unparseable or
/// unknown hashes never match.
fn verify_blocking(password: &str, stored: &str) -> bool {
    match legacy::scheme_of(stored) {
        Some(legacy::LegacyScheme::Argon2) | None => verify_argon2(password, stored),
        Some(_) => legacy::verify_legacy(password, stored),
    }
}

fn verify_argon2(password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    // The verifier takes the algorithm and parameters from the stored hash itself.
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Whether a stored hash is anything other than Argon2id at the current parameters.
fn needs_rehash(stored: &str, params: &Params) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(current) => {
            current.m_cost() != params.m_cost()
                || current.t_cost() != params.t_cost()
                || current.p_cost() != params.p_cost()
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap_policy() -> PasswordPolicy {
        PasswordPolicy {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
            max_concurrent_hashes: 2,
            allow_weak_parameters: true,
        }
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let hasher = PasswordHasher::new(&cheap_policy()).unwrap();
        let hash = hasher.hash("Parol123!".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert_eq!(
            hasher
                .verify("Parol123!".into(), Some(hash.clone()))
                .await
                .unwrap(),
            PasswordVerification::Valid { rehash: None }
        );
        assert_eq!(
            hasher.verify("parol123!".into(), Some(hash)).await.unwrap(),
            PasswordVerification::Invalid
        );
    }

    #[tokio::test]
    async fn unknown_account_is_invalid_even_with_the_dummy_password() {
        let hasher = PasswordHasher::new(&cheap_policy()).unwrap();
        let verdict = hasher
            .verify("dummy password for unknown accounts".into(), None)
            .await
            .unwrap();
        assert_eq!(verdict, PasswordVerification::Invalid);
    }

    #[tokio::test]
    async fn old_parameters_are_upgraded_on_success() {
        let old = PasswordHasher::new(&cheap_policy()).unwrap();
        let hash = old.hash("secret".into()).await.unwrap();
        let mut stronger = cheap_policy();
        stronger.memory_kib = 128;
        let new = PasswordHasher::new(&stronger).unwrap();
        let PasswordVerification::Valid {
            rehash: Some(rehash),
        } = new.verify("secret".into(), Some(hash)).await.unwrap()
        else {
            panic!("expected a rehash");
        };
        assert!(rehash.contains("m=128"));
    }

    #[tokio::test]
    async fn legacy_hashes_verify_and_are_upgraded_to_argon2id() {
        let hasher = PasswordHasher::new(&cheap_policy()).unwrap();
        let bcrypt = "$2y$05$V66KUpbXZKdtO6TPWmGZSeFECSpbb.B1s7NEUm1PGxSp7KbUcwTee";
        let salted_md5 = "$md5-salt$qaTkcSxr$6ca8889c3e9a6f2b8aff51a932eaf9cc";
        for (password, stored) in [("P@ssw0rd3531", bcrypt), ("Toshkent2019", salted_md5)] {
            let verdict = hasher
                .verify(password.into(), Some(stored.into()))
                .await
                .unwrap();
            let PasswordVerification::Valid {
                rehash: Some(rehash),
            } = verdict
            else {
                panic!("expected a rehash for {stored}, got {verdict:?}");
            };
            assert!(rehash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
            assert_eq!(
                hasher.verify(password.into(), Some(rehash)).await.unwrap(),
                PasswordVerification::Valid { rehash: None }
            );
            assert_eq!(
                hasher
                    .verify("wrong password".into(), Some(stored.into()))
                    .await
                    .unwrap(),
                PasswordVerification::Invalid
            );
        }
    }

    #[tokio::test]
    async fn garbage_hash_never_matches() {
        let hasher = PasswordHasher::new(&cheap_policy()).unwrap();
        let verdict = hasher
            .verify("x".into(), Some("not a hash".into()))
            .await
            .unwrap();
        assert_eq!(verdict, PasswordVerification::Invalid);
    }
}
