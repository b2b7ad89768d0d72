//! Small cryptographic helpers shared by every module: random tokens, digests and
//! constant-time comparison.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};

/// `n` bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // SystemRandom only fails when the OS has no entropy source at all; there is no safe way to
    // continue issuing tokens in that state.
    #[allow(clippy::expect_used)]
    SystemRandom::new()
        .fill(&mut buf)
        .expect("operating system random number generator failed");
    buf
}

/// A fresh 256-bit secret, base64url without padding (43 characters). Used for authorization
/// codes, refresh tokens, session ids, client secrets and request handles.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// A fresh 128-bit opaque identifier (22 characters), for `sub` and `jti`.
pub fn random_id() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<16>())
}

/// An identifier that sorts by creation time (26 characters): `now` as 10 hex digits, then 96
/// random bits in base64url. For rows created at a high rate and keyed by their id (grants):
/// new keys land at the end of their indexes instead of at random places, so a commit
/// writes fewer index pages. The creation second it shows is no secret (tokens carry it).
pub fn time_ordered_id(now: crate::clock::UnixTime) -> String {
    format!(
        "{:010x}{}",
        now.clamp(0, 0xff_ffff_ffff),
        URL_SAFE_NO_PAD.encode(random_bytes::<12>())
    )
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// SHA-256 of `data`, as a fixed-size key (no allocation).
pub fn sha256_array(data: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, data).as_ref());
    out
}

/// The storage key of a secret token: its SHA-256 digest. Tokens are never stored in clear.
pub fn token_hash(token: &str) -> Vec<u8> {
    sha256(token.as_bytes())
}

pub fn b64url(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn b64url_decode(data: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(data.as_bytes()).ok()
}

/// Constant-time equality for secrets.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// HMAC-SHA-256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    ring::hmac::sign(&key, data).as_ref().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_ordered_ids_sort_by_time_and_differ_within_a_second() {
        let earlier = time_ordered_id(1_700_000_000);
        let (a, b) = (
            time_ordered_id(1_700_000_001),
            time_ordered_id(1_700_000_001),
        );
        assert_eq!(a.len(), 26);
        assert!(
            earlier < a && earlier < b,
            "{earlier} sorts after {a} or {b}"
        );
        assert_ne!(a, b);
        assert!(a.starts_with("006553f101"), "{a}");
        assert!(time_ordered_id(0xfff_ffff_ffff).starts_with("ffffffffff"));
    }

    #[test]
    fn tokens_are_256_bit_and_distinct() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(b64url_decode(&a).map(|v| v.len()), Some(32));
    }

    #[test]
    fn constant_time_eq_compares_length_and_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
