//! Password hashes imported from the old national IdP (`yagona import`, docs/import.md), kept
//! as they were and verified at sign-in; the caller then rehashes to Argon2id.
//!
//! Stored forms (the `password_hash` column):
//!
//! | scheme | stored as | check |
//! | --- | --- | --- |
//! | salted MD5 | `$md5-salt$<salt>$<32 hex>` | hex(MD5(salt ‖ password)) |
//! | SHA-1 | `$sha1-hex$<40 hex>` | hex(SHA-1(password)) |
//! | salted SHA-256 | `$sha256-salt$<salt>$<64 hex>` | hex(SHA-256(salt ‖ password)) |
//! | bcrypt | `$2a$`, `$2b$`, `$2y$` Modular Crypt, as is | bcrypt |
//! | Django PBKDF2 | `pbkdf2_sha256$<iterations>$<salt>$<Base64 key>`, as is | PBKDF2-HMAC-SHA256 |
//! | SHA-crypt | `$6$[rounds=N$]salt$hash` (and `$5$`), as is | crypt(3) SHA-512 / SHA-256 |
//! | Argon2 | PHC `$argon2id$…` (`$argon2i$`, `$argon2d$`), as is | Argon2 |
//!
//! The salted raw digests have no standard text form, so they are wrapped in the tagged forms
//! above; the salt is the literal text between the tag and the last `$`. Every comparison of a
//! computed digest with the stored one is constant time (`subtle`, `ring::pbkdf2::verify`, and
//! the bcrypt and sha-crypt crates' own constant-time comparisons).

use std::num::NonZeroU32;

use base64::Engine as _;
use md5::Digest as _;
use subtle::ConstantTimeEq as _;

/// Tag of salted MD5: `$md5-salt$<salt>$<hex>`.
pub const MD5_SALT_TAG: &str = "$md5-salt$";
/// Tag of unsalted SHA-1: `$sha1-hex$<hex>`.
pub const SHA1_TAG: &str = "$sha1-hex$";
/// Tag of salted SHA-256: `$sha256-salt$<salt>$<hex>`.
pub const SHA256_SALT_TAG: &str = "$sha256-salt$";
/// Prefix of Django's PBKDF2-SHA256 hashes.
pub const DJANGO_PBKDF2_PREFIX: &str = "pbkdf2_sha256$";

/// The most PBKDF2 iterations accepted: a stored hash cannot make one sign-in cost more than
/// this (Django's 2024 default is 870 000).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// The legacy schemes this module verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyScheme {
    SaltedMd5,
    Sha1,
    SaltedSha256,
    Bcrypt,
    DjangoPbkdf2Sha256,
    ShaCrypt,
    Argon2,
}

/// Why a legacy hash cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LegacyHashError {
    #[error("unknown password scheme {0:?}")]
    UnknownScheme(String),
    #[error("malformed {scheme} hash: {detail}")]
    Malformed {
        scheme: &'static str,
        detail: &'static str,
    },
}

fn malformed(scheme: &'static str, detail: &'static str) -> LegacyHashError {
    LegacyHashError::Malformed { scheme, detail }
}

/// The scheme of a stored hash, judged by its prefix only.
pub fn scheme_of(stored: &str) -> Option<LegacyScheme> {
    let scheme = if stored.starts_with(MD5_SALT_TAG) {
        LegacyScheme::SaltedMd5
    } else if stored.starts_with(SHA1_TAG) {
        LegacyScheme::Sha1
    } else if stored.starts_with(SHA256_SALT_TAG) {
        LegacyScheme::SaltedSha256
    } else if ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|p| stored.starts_with(p))
    {
        LegacyScheme::Bcrypt
    } else if stored.starts_with(DJANGO_PBKDF2_PREFIX) {
        LegacyScheme::DjangoPbkdf2Sha256
    } else if stored.starts_with("$6$") || stored.starts_with("$5$") {
        LegacyScheme::ShaCrypt
    } else if stored.starts_with("$argon2") {
        LegacyScheme::Argon2
    } else {
        return None;
    };
    Some(scheme)
}

/// Builds the stored form of a legacy hash, checking its format (Kanidm-style: bad data shows up
/// at import, not at a citizen's first sign-in). `scheme` uses the export's names: `md5_salt`,
/// `sha1`, `sha256_salt`, `bcrypt`, `pbkdf2_sha256`, `sha512_crypt`, `argon2id`. `salt` is
/// used by the salted schemes only.
pub fn encode_legacy(scheme: &str, hash: &str, salt: &str) -> Result<String, LegacyHashError> {
    let stored = match scheme {
        "md5_salt" => salted_form(MD5_SALT_TAG, "md5_salt", salt, hash, 32)?,
        "sha256_salt" => salted_form(SHA256_SALT_TAG, "sha256_salt", salt, hash, 64)?,
        "sha1" => {
            check_hex("sha1", hash, 40)?;
            format!("{SHA1_TAG}{}", hash.to_ascii_lowercase())
        }
        "bcrypt" | "pbkdf2_sha256" | "sha512_crypt" | "argon2id" => hash.to_owned(),
        other => return Err(LegacyHashError::UnknownScheme(other.to_owned())),
    };
    let expected = match scheme {
        "md5_salt" => LegacyScheme::SaltedMd5,
        "sha256_salt" => LegacyScheme::SaltedSha256,
        "sha1" => LegacyScheme::Sha1,
        "bcrypt" => LegacyScheme::Bcrypt,
        "pbkdf2_sha256" => LegacyScheme::DjangoPbkdf2Sha256,
        "sha512_crypt" => LegacyScheme::ShaCrypt,
        _ => LegacyScheme::Argon2,
    };
    if scheme_of(&stored) != Some(expected) {
        return Err(malformed(static_name(expected), "wrong prefix"));
    }
    check_stored(&stored)?;
    Ok(stored)
}

fn static_name(scheme: LegacyScheme) -> &'static str {
    match scheme {
        LegacyScheme::SaltedMd5 => "md5_salt",
        LegacyScheme::Sha1 => "sha1",
        LegacyScheme::SaltedSha256 => "sha256_salt",
        LegacyScheme::Bcrypt => "bcrypt",
        LegacyScheme::DjangoPbkdf2Sha256 => "pbkdf2_sha256",
        LegacyScheme::ShaCrypt => "sha512_crypt",
        LegacyScheme::Argon2 => "argon2id",
    }
}

fn salted_form(
    tag: &str,
    scheme: &'static str,
    salt: &str,
    hash: &str,
    hex_len: usize,
) -> Result<String, LegacyHashError> {
    if salt.is_empty() {
        return Err(malformed(scheme, "salt is empty"));
    }
    check_hex(scheme, hash, hex_len)?;
    Ok(format!("{tag}{salt}${}", hash.to_ascii_lowercase()))
}

fn check_hex(scheme: &'static str, hash: &str, len: usize) -> Result<(), LegacyHashError> {
    if hash.len() == len && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(malformed(scheme, "not the expected number of hex digits"))
    }
}

/// Checks that a stored legacy hash parses: the same parsers [`verify_legacy`] uses.
pub fn check_stored(stored: &str) -> Result<LegacyScheme, LegacyHashError> {
    let scheme = scheme_of(stored).ok_or_else(|| LegacyHashError::UnknownScheme(String::new()))?;
    let name = static_name(scheme);
    let ok = match scheme {
        LegacyScheme::SaltedMd5 | LegacyScheme::Sha1 | LegacyScheme::SaltedSha256 => {
            parse_tagged(stored).is_some()
        }
        LegacyScheme::Bcrypt => stored.len() == 60 && bcrypt_parses(stored),
        LegacyScheme::DjangoPbkdf2Sha256 => parse_django(stored).is_some(),
        LegacyScheme::ShaCrypt => sha_crypt::PasswordHashRef::new(stored)
            .is_ok_and(|h| h.fields().count() >= 2 && h.fields().count() <= 3),
        LegacyScheme::Argon2 => argon2::password_hash::PasswordHash::new(stored)
            .is_ok_and(|h| h.salt.is_some() && h.hash.is_some()),
    };
    if ok {
        Ok(scheme)
    } else {
        Err(malformed(name, "does not parse"))
    }
}

/// bcrypt's cost must be 4–31 and the salt and hash use bcrypt's Base64 alphabet.
fn bcrypt_parses(stored: &str) -> bool {
    let cost_ok = stored
        .get(4..6)
        .and_then(|c| c.parse::<u32>().ok())
        .is_some_and(|c| (4..=31).contains(&c));
    let body_ok = stored.get(6..7) == Some("$")
        && stored[7..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'/');
    cost_ok && body_ok
}

/// Whether `password` matches the stored legacy hash. Unknown or unparseable hashes never match.
/// Argon2 is not handled here (the caller verifies PHC Argon2 itself).
pub fn verify_legacy(password: &str, stored: &str) -> bool {
    let Some(scheme) = scheme_of(stored) else {
        return false;
    };
    let password = password.as_bytes();
    match scheme {
        LegacyScheme::SaltedMd5 | LegacyScheme::Sha1 | LegacyScheme::SaltedSha256 => {
            verify_tagged(password, stored)
        }
        LegacyScheme::Bcrypt => bcrypt::verify(password, stored).unwrap_or(false),
        LegacyScheme::DjangoPbkdf2Sha256 => verify_django(password, stored),
        LegacyScheme::ShaCrypt => {
            use sha_crypt::PasswordVerifier as _;
            sha_crypt::ShaCrypt::default()
                .verify_password(password, stored)
                .is_ok()
        }
        LegacyScheme::Argon2 => false,
    }
}

/// A tagged raw digest: its scheme, salt (empty for SHA-1) and expected digest bytes.
fn parse_tagged(stored: &str) -> Option<(LegacyScheme, &str, Vec<u8>)> {
    let (scheme, rest, len) = if let Some(rest) = stored.strip_prefix(MD5_SALT_TAG) {
        (LegacyScheme::SaltedMd5, rest, 16)
    } else if let Some(rest) = stored.strip_prefix(SHA256_SALT_TAG) {
        (LegacyScheme::SaltedSha256, rest, 32)
    } else {
        (LegacyScheme::Sha1, stored.strip_prefix(SHA1_TAG)?, 20)
    };
    let (salt, digest_hex) = match scheme {
        LegacyScheme::Sha1 => ("", rest),
        _ => rest.rsplit_once('$').filter(|(salt, _)| !salt.is_empty())?,
    };
    let digest = hex::decode(digest_hex).ok().filter(|d| d.len() == len)?;
    Some((scheme, salt, digest))
}

fn verify_tagged(password: &[u8], stored: &str) -> bool {
    let Some((scheme, salt, expected)) = parse_tagged(stored) else {
        return false;
    };
    let computed: Vec<u8> = match scheme {
        LegacyScheme::SaltedMd5 => {
            let mut md5 = md5::Md5::new();
            md5.update(salt.as_bytes());
            md5.update(password);
            md5.finalize().to_vec()
        }
        LegacyScheme::SaltedSha256 => {
            let mut context = ring::digest::Context::new(&ring::digest::SHA256);
            context.update(salt.as_bytes());
            context.update(password);
            context.finish().as_ref().to_vec()
        }
        _ => ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, password)
            .as_ref()
            .to_vec(),
    };
    computed.ct_eq(&expected).into()
}

/// Django: `pbkdf2_sha256$<iterations>$<salt>$<standard Base64 of the derived key>`; the salt
/// is used as its literal bytes.
fn parse_django(stored: &str) -> Option<(NonZeroU32, &str, Vec<u8>)> {
    let rest = stored.strip_prefix(DJANGO_PBKDF2_PREFIX)?;
    let mut parts = rest.split('$');
    let (iterations, salt, key) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || salt.is_empty() {
        return None;
    }
    let iterations = iterations
        .parse::<u32>()
        .ok()
        .filter(|i| *i <= MAX_PBKDF2_ITERATIONS)
        .and_then(NonZeroU32::new)?;
    let key = base64::engine::general_purpose::STANDARD.decode(key).ok()?;
    (!key.is_empty()).then_some((iterations, salt, key))
}

fn verify_django(password: &[u8], stored: &str) -> bool {
    let Some((iterations, salt, key)) = parse_django(stored) else {
        return false;
    };
    // ring compares the derived key with the expected one in constant time.
    ring::pbkdf2::verify(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt.as_bytes(),
        password,
        &key,
    )
    .is_ok()
}

#[cfg(test)]
mod tests;
