//! The import's in-memory maps and sets (a million legacy ids, logins, PINFLs, e-mails and
//! phones per million records) hash with foldhash, seeded per process: the standard SipHash
//! cost about a tenth of the checking pass.

use std::collections::{HashMap, HashSet};

pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
pub type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;

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
