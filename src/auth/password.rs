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
mod pool;

use std::sync::Arc;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use pool::HashPool;

use crate::config::PasswordPolicy;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("invalid Argon2 parameters: {0}")]
    Params(argon2::Error),
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("password hashing task failed")]
    Task,
    #[error("cannot start the password hashing threads: {0}")]
    Threads(std::io::Error),
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
    pool: HashPool,
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
        let dummy_hash = hash_blocking(
            &params,
            "dummy password for unknown accounts",
            &mut Vec::new(),
        )?;
        let threads = policy.max_concurrent_hashes.max(1);
        Ok(Self {
            params,
            permits: Arc::new(Semaphore::new(threads)),
            pool: HashPool::new(threads).map_err(PasswordError::Threads)?,
            dummy_hash: dummy_hash.into(),
        })
    }

    /// Hashes a new password with the current policy.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let params = self.params.clone();
        self.run_bounded(move |memory| hash_blocking(&params, &password, memory))
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
        self.run_bounded(move |memory| {
            let matches = verify_blocking(&password, &stored, memory);
            if !(matches && known) {
                return Ok(PasswordVerification::Invalid);
            }
            let rehash = if needs_rehash(&stored, &params) {
                Some(hash_blocking(&params, &password, memory)?)
            } else {
                None
            };
            Ok(PasswordVerification::Valid { rehash })
        })
        .await?
    }

    /// Runs `work` on a hashing thread once one of `max_concurrent_hashes` permits is free.
    async fn run_bounded<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| PasswordError::Task)?;
        self.pool.run(work).await.ok_or(PasswordError::Task)
    }
}

/// Argon2id over `password` with a fresh salt, in PHC string form, computed in `memory`.
fn hash_blocking(
    params: &Params,
    password: &str,
    memory: &mut Vec<Block>,
) -> Result<String, PasswordError> {
    let salt = SaltString::encode_b64(&crate::crypto::random_bytes::<16>())
        .map_err(PasswordError::Hash)?;
    let mut salt_bytes = [0u8; 16];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(PasswordError::Hash)?;
    let output = compute(
        Algorithm::Argon2id,
        Version::V0x13,
        params,
        password,
        salt_bytes,
        32,
        memory,
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(PasswordError::Hash)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// One Argon2 computation into `len` bytes, reusing `memory` (grown when the parameters need
/// more blocks).
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &str,
    salt: &[u8],
    len: usize,
    memory: &mut Vec<Block>,
) -> Result<Output, PasswordError> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; len];
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..blocks])
        .map_err(|e| PasswordError::Hash(e.into()))?;
    Output::new(&out).map_err(PasswordError::Hash)
}

/// Verifies a stored hash in constant time: Argon2 PHC strings here (the argon2 crate compares
/// digests with `subtle`), imported legacy schemes in [`legacy::verify_legacy`]. Unparseable or
/// unknown hashes never match.
fn verify_blocking(password: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
    match legacy::scheme_of(stored) {
        Some(legacy::LegacyScheme::Argon2) | None => verify_argon2(password, stored, memory),
        Some(_) => legacy::verify_legacy(password, stored),
    }
}

/// Recomputes a PHC Argon2 hash with the algorithm, version, parameters and salt it names and
/// compares the outputs in constant time (`Output`'s equality is constant-time).
fn verify_argon2(password: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(algorithm), Some(expected), Some(salt)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed.hash,
        parsed.salt,
    ) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or(Version::V0x13);
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    compute(
        algorithm,
        version,
        &params,
        password,
        salt,
        expected.len(),
        memory,
    )
    .is_ok_and(|output| output == expected)
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
    async fn hashes_interoperate_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = PasswordHasher::new(&cheap_policy()).unwrap();
        let ours = hasher.hash("Samarqand-1".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        Argon2::default()
            .verify_password(b"Samarqand-1", &parsed)
            .expect("the argon2 crate verifies our hash");
        let params = Params::new(64, 1, 1, None).unwrap();
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"Buxoro-2", &salt)
            .unwrap()
            .to_string();
        assert_eq!(
            hasher
                .verify("Buxoro-2".into(), Some(theirs.clone()))
                .await
                .unwrap(),
            PasswordVerification::Valid { rehash: None }
        );
        assert_eq!(
            hasher
                .verify("Buxoro-3".into(), Some(theirs))
                .await
                .unwrap(),
            PasswordVerification::Invalid
        );
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
