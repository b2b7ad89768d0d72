//! A fast hasher for the import's in-memory maps and sets (a million legacy ids, logins,
//! PINFLs, e-mails and phones per million records): the multiply-rotate hash of rustc's
//! `FxHasher`, seeded per map from the system's random generator. The standard SipHash cost
//! about a tenth of the checking pass.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

pub type FastMap<K, V> = HashMap<K, V, FastState>;
pub type FastSet<T> = HashSet<T, FastState>;

const MULTIPLIER: u64 = 0xf135_7aea_2e62_a9c5;

/// Builds [`FastHasher`]s with one random seed.
#[derive(Debug, Clone, Copy)]
pub struct FastState {
    seed: u64,
}

impl Default for FastState {
    fn default() -> Self {
        Self {
            seed: u64::from_le_bytes(crate::crypto::random_bytes::<8>()),
        }
    }
}

impl BuildHasher for FastState {
    type Hasher = FastHasher;

    fn build_hasher(&self) -> FastHasher {
        FastHasher(self.seed)
    }
}

#[derive(Debug)]
pub struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(MULTIPLIER);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(word);
            self.add(u64::from_le_bytes(buf));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // The multiplication leaves the best bits on top; the table indexes with the low ones.
        self.0.rotate_left(26)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_with_the_fast_hasher_behave_like_maps() {
        let mut set: FastSet<String> = FastSet::default();
        for i in 0..10_000 {
            assert!(set.insert(format!("legacy-{i}")));
        }
        assert!(!set.insert("legacy-42".into()));
        assert!(set.contains("legacy-9999"));
        let mut map: FastMap<u64, u64> = FastMap::default();
        map.insert(7, 1);
        assert_eq!(map.get(&7), Some(&1));
        assert_eq!(map.get(&8), None);
    }
}
