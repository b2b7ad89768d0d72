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
        LegacyScheme::Argon2 => argon2::password_hash::PasswordHash::new(stored).is_ok(),
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
mod tests {
    use super::*;

    // Known vectors: the legacy export generator's README (../shared/legacy/README.md), computed
    // by Python's hashlib / crypt.
    const MD5: (&str, &str, &str) = (
        "Toshkent2019",
        "qaTkcSxr",
        "6ca8889c3e9a6f2b8aff51a932eaf9cc",
    );
    const SHA1: (&str, &str) = ("Dunyo_88", "31ae993a6f948031dc5efc62b6f60dd3674c8fdb");
    const SHA256: (&str, &str, &str) = (
        "Dunyo2020!",
        "VFXG8eRUjLvTc7cW",
        "d4579b9874006512b72f5b47ad2f3b7592894f284aec30b7bb3848bdcbee9b32",
    );
    const BCRYPT: (&str, &str) = (
        "P@ssw0rd3531",
        "$2y$05$V66KUpbXZKdtO6TPWmGZSeFECSpbb.B1s7NEUm1PGxSp7KbUcwTee",
    );
    const DJANGO: (&str, &str) = (
        "Bahor!!",
        "pbkdf2_sha256$1000$1hKFOzxHGytW$FRim++n5CcH/Zcv25D9j+SZ1sl6RTvv1LlB1+WvVN6M=",
    );
    const SHA512_CRYPT: (&str, &str) = (
        "Dunyo1",
        "$6$oML/vQ161BR1SL5X$b/6MqjQHRYewBw2iKqVsrVyAkQM2eG4dLdkH7RUScGWwm0idK2n8kQ99y2ki8S4nVw4CMUpIiVF/QPzEFYtt21",
    );

    fn check(scheme: &str, password: &str, hash: &str, salt: &str) {
        let stored = encode_legacy(scheme, hash, salt).unwrap();
        assert!(verify_legacy(password, &stored), "{scheme} must verify");
        assert!(!verify_legacy("wrong", &stored), "{scheme} wrong password");
        let mut other = password.to_owned();
        other.push('x');
        assert!(!verify_legacy(&other, &stored), "{scheme} longer password");
    }

    #[test]
    fn salted_md5_vector() {
        check("md5_salt", MD5.0, MD5.2, MD5.1);
        assert_eq!(
            encode_legacy("md5_salt", MD5.2, MD5.1).unwrap(),
            format!("$md5-salt$qaTkcSxr${}", MD5.2)
        );
    }

    #[test]
    fn sha1_vector() {
        check("sha1", SHA1.0, SHA1.1, "");
        // Upper-case hex is accepted and stored lower-case.
        let stored = encode_legacy("sha1", &SHA1.1.to_uppercase(), "").unwrap();
        assert!(verify_legacy(SHA1.0, &stored));
    }

    #[test]
    fn salted_sha256_vector() {
        check("sha256_salt", SHA256.0, SHA256.2, SHA256.1);
        // The salt matters.
        let stored = encode_legacy("sha256_salt", SHA256.2, "otherSalt").unwrap();
        assert!(!verify_legacy(SHA256.0, &stored));
    }

    #[test]
    fn bcrypt_vectors_for_every_prefix() {
        check("bcrypt", BCRYPT.0, BCRYPT.1, "");
        // $2b$ and $2a$ with the same salt and hash body are the same computation.
        for prefix in ["$2a$", "$2b$"] {
            let hash = BCRYPT.1.replacen("$2y$", prefix, 1);
            check("bcrypt", BCRYPT.0, &hash, "");
        }
        assert!(encode_legacy("bcrypt", &BCRYPT.1.replacen("$2y$", "$2x$", 1), "").is_err());
        assert!(encode_legacy("bcrypt", &BCRYPT.1[..40], "").is_err());
    }

    #[test]
    fn django_pbkdf2_vector() {
        check("pbkdf2_sha256", DJANGO.0, DJANGO.1, "");
        assert!(encode_legacy("pbkdf2_sha256", "pbkdf2_sha256$0$salt$AAAA", "").is_err());
        assert!(encode_legacy("pbkdf2_sha256", "pbkdf2_sha256$99999999999$s$AAAA", "").is_err());
    }

    #[test]
    fn sha512_crypt_vector() {
        check("sha512_crypt", SHA512_CRYPT.0, SHA512_CRYPT.1, "");
    }

    #[test]
    fn sha512_crypt_with_rounds() {
        // glibc crypt("Hello world!", "$6$rounds=10000$saltstringsaltstring"), from the
        // SHA-crypt specification's test vectors (Ulrich Drepper, "Unix crypt using SHA-256
        // and SHA-512").
        let stored = "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.";
        assert!(verify_legacy("Hello world!", stored));
        assert!(!verify_legacy("Hello world", stored));
    }

    #[test]
    fn unknown_and_malformed_hashes_are_refused() {
        assert_eq!(
            encode_legacy("crc32", "0badf00d", ""),
            Err(LegacyHashError::UnknownScheme("crc32".into()))
        );
        assert!(encode_legacy("md5_salt", MD5.2, "").is_err());
        assert!(encode_legacy("md5_salt", &MD5.2[..31], "salt").is_err());
        assert!(encode_legacy("sha1", "zz", "").is_err());
        assert!(encode_legacy("sha512_crypt", "$6$", "").is_err());
        assert!(encode_legacy("argon2id", "$argon2id$v=19$garbage", "").is_err());
        assert!(!verify_legacy("x", "plain text"));
        assert!(!verify_legacy("x", "$md5-salt$$abc"));
    }

    #[test]
    fn scheme_is_recognised_by_prefix() {
        assert_eq!(scheme_of(BCRYPT.1), Some(LegacyScheme::Bcrypt));
        assert_eq!(scheme_of(DJANGO.1), Some(LegacyScheme::DjangoPbkdf2Sha256));
        assert_eq!(scheme_of(SHA512_CRYPT.1), Some(LegacyScheme::ShaCrypt));
        assert_eq!(scheme_of("$argon2id$v=19$"), Some(LegacyScheme::Argon2));
        assert_eq!(scheme_of("$1$abc$def"), None);
    }
}
