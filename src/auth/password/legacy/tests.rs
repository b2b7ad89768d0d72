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
