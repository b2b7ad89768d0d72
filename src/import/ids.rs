//! Account ids for imported accounts that sort in the order they are made.
//!
//! A random id (`crate::crypto::random_id`) lands at a random place in the accounts' primary key
//! and in `legacy_accounts.account_id`, so every chunk of an import would rewrite pages all over
//! both indexes. These ids have the same shape — 22 characters of the base64url alphabet — but
//! begin with the run's start time and a sequence number, written in that alphabet sorted by
//! byte value, so the ids of one run are increasing and a run after it sorts after it: both
//! indexes grow at their end. The last nine characters (54 bits) are random, so ids stay
//! unguessable one from another and two processes never make the same one.

use std::time::{SystemTime, UNIX_EPOCH};

/// The base64url alphabet in ascending byte order, so that digits compare like the numbers.
const SORTED_ALPHABET: &[u8; 64] =
    b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/// Characters of milliseconds since 1970 (48 bits: until the year 10889).
const TIME_DIGITS: usize = 8;
/// Characters of the sequence number (30 bits: a billion accounts per run).
const SEQUENCE_DIGITS: usize = 5;
/// Random characters (54 bits).
const RANDOM_DIGITS: usize = 9;

/// Makes the ids of one run: [`IdSequence::next`] is greater than every id it made before.
#[derive(Debug)]
pub struct IdSequence {
    prefix: [u8; TIME_DIGITS],
    next: u64,
}

fn push_digits(out: &mut Vec<u8>, value: u64, digits: usize) {
    for i in (0..digits).rev() {
        out.push(SORTED_ALPHABET[((value >> (6 * i)) & 63) as usize]);
    }
}

impl IdSequence {
    /// A sequence starting now. The wall clock in milliseconds, not the import's injected clock
    /// (whole seconds): it only orders ids, two runs a second apart must not share a prefix, and
    /// it decides nothing a test would need to control.
    pub fn starting_now() -> Self {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Self::starting_at(millis)
    }

    fn starting_at(millis: u64) -> Self {
        let mut prefix = Vec::with_capacity(TIME_DIGITS);
        push_digits(&mut prefix, millis, TIME_DIGITS);
        let mut bytes = [0u8; TIME_DIGITS];
        bytes.copy_from_slice(&prefix);
        Self {
            prefix: bytes,
            next: 0,
        }
    }

    /// The next id. After 2³⁰ ids the sequence digits wrap, and ids then only stay unique (by
    /// their random part), no longer ordered.
    pub fn next(&mut self) -> String {
        let random = u64::from_le_bytes(crate::crypto::random_bytes::<8>());
        let mut id = Vec::with_capacity(TIME_DIGITS + SEQUENCE_DIGITS + RANDOM_DIGITS);
        id.extend_from_slice(&self.prefix);
        push_digits(&mut id, self.next, SEQUENCE_DIGITS);
        push_digits(&mut id, random, RANDOM_DIGITS);
        self.next += 1;
        // Every byte comes from SORTED_ALPHABET, which is ASCII.
        id.into_iter().map(char::from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_look_like_random_ids() {
        let mut sequence = IdSequence::starting_at(1_700_000_000_000);
        let ids: Vec<String> = (0..200).map(|_| sequence.next()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let later = IdSequence::starting_at(1_700_000_000_001).next();
        assert!(later > ids[199]);
        let id = &ids[0];
        assert_eq!(id.len(), crate::crypto::random_id().len());
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert!(SORTED_ALPHABET.windows(2).all(|w| w[0] < w[1]));
    }
}
