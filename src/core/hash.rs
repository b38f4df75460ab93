//! A small, fast, deterministic hasher (FNV-1a, 64 bit) for maps that are
//! only looked up, never iterated: short ids hash in a few instructions,
//! where the default SipHash costs hundreds. Not for untrusted keys.

use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a over the written bytes.
#[derive(Debug, Clone, Copy)]
pub struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// `HashMap` with [`FnvHasher`].
pub type FnvHashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FnvHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors_and_map_use() {
        let mut h = FnvHasher::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
        let mut map: FnvHashMap<String, u32> = FnvHashMap::default();
        map.insert("O-S-1".into(), 1);
        assert_eq!(map.get("O-S-1"), Some(&1));
    }
}
