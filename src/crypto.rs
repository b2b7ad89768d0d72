//! Small cryptographic helpers shared by every module: random tokens, digests and
//! constant-time comparison.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::{SecureRandom, SystemRandom};

use crate::clock::UnixTime;

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
pub fn time_ordered_id(now: UnixTime) -> String {
    format!(
        "{}{}",
        time_prefix(now),
        URL_SAFE_NO_PAD.encode(random_bytes::<12>())
    )
}

/// Hex digits of the creation second that start time-ordered ids and tokens (40 bits: until
/// the year 36812).
const TIME_PREFIX_LEN: usize = 10;

fn time_prefix(now: UnixTime) -> String {
    format!("{:010x}", now.clamp(0, 0xff_ffff_ffff))
}

/// Length of a [`time_ordered_token`].
const TIME_ORDERED_TOKEN_LEN: usize = TIME_PREFIX_LEN + 43;

/// A fresh 256-bit secret that sorts by creation time (53 characters): `now` as 10 hex
/// digits, then a [`random_token`]. For the bearer secrets created at a high rate and stored
/// by [`token_hash`] (pending-request handles, session ids, codes, refresh tokens): their
/// keys then land at the end of the database's indexes, not at random places, so a commit
/// writes fewer index pages. The creation second is no secret (the token's lifetime starts
/// then); the 256 random bits are the secret.
pub fn time_ordered_token(now: UnixTime) -> String {
    format!("{}{}", time_prefix(now), random_token())
}

/// The creation second a [`time_ordered_token`] starts with, as 5 big-endian bytes.
fn creation_second(token: &str) -> Option<[u8; 5]> {
    let prefix = token.get(..TIME_PREFIX_LEN)?;
    let is_hex = prefix
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if token.len() != TIME_ORDERED_TOKEN_LEN || !is_hex {
        return None;
    }
    let second = u64::from_str_radix(prefix, 16).ok()?.to_be_bytes();
    let mut bytes = [0; 5];
    bytes.copy_from_slice(&second[3..]);
    Some(bytes)
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

/// The storage key of a secret token: its SHA-256 digest, after the token's creation second
/// (5 bytes) when it is a [`time_ordered_token`]. Tokens are never stored in clear.
pub fn token_hash(token: &str) -> Vec<u8> {
    let digest = sha256(token.as_bytes());
    match creation_second(token) {
        Some(second) => [second.as_slice(), &digest].concat(),
        None => digest,
    }
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
    fn time_ordered_tokens_are_keyed_after_their_creation_second() {
        let token = time_ordered_token(0x65_53f1_01ab);
        assert_eq!(token.len(), 53);
        assert!(token.starts_with("6553f101ab"), "{token}");
        let key = token_hash(&token);
        assert_eq!(key[..5], [0x65, 0x53, 0xf1, 0x01, 0xab]);
        assert_eq!(key[5..], sha256(token.as_bytes())[..]);
        assert!(token_hash(&time_ordered_token(0x65_53f1_01aa)) < key);
        assert_ne!(token, time_ordered_token(0x65_53f1_01ab));
    }

    #[test]
    fn other_tokens_are_keyed_by_their_digest_alone() {
        let plain = random_token();
        assert_eq!(token_hash(&plain), sha256(plain.as_bytes()));
        // The right length but no hex prefix (uppercase, or not hex at all).
        for token in [format!("6553F101AB{plain}"), format!("6553f101ag{plain}")] {
            assert_eq!(token_hash(&token), sha256(token.as_bytes()), "{token}");
        }
        // A hex prefix but the wrong length.
        let short = format!("6553f101ab{}", &plain[1..]);
        assert_eq!(token_hash(&short), sha256(short.as_bytes()));
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
