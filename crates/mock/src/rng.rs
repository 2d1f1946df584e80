//! A small deterministic random number generator (SplitMix64).
//!
//! The mock's synthetic data must be byte-identical for a seed across platforms and dependency
//! upgrades (snapshot tests and benchmarks compare bytes), and `rand`'s `StdRng` does not promise
//! that across versions. SplitMix64 is a fixed, well-known algorithm and uses integers only.

use uuid::Uuid;

/// SplitMix64: 64 bits of state, a fixed increment and a finaliser.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for one seed.
    pub(crate) fn new(seed: u64) -> Self {
        Self(mix(seed ^ GOLDEN))
    }

    /// An independent generator for item `index` of stream `stream` under `seed`, so that any
    /// item can be generated on its own, in any order.
    pub(crate) fn derive(seed: u64, stream: u64, index: u64) -> Self {
        Self::new(mix(mix(seed).wrapping_add(stream.wrapping_mul(GOLDEN))) ^ index)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// A uniform integer in `0..n` (`n > 0`), by the multiply-shift method.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform integer in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// An index into a collection of `len > 0` items.
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub(crate) fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// True with probability `p` (clamped to `0.0..=1.0`).
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        // 53 random bits give a uniform float in [0, 1).
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }

    /// One item of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// A random (version 4) UUID.
    pub(crate) fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// `len` characters from `alphabet`.
    pub(crate) fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len).map(|_| char::from(*self.pick(alphabet))).collect()
    }
}

/// Digits.
pub(crate) const DIGITS: &[u8] = b"0123456789";
/// Upper- and lower-case letters and digits.
pub(crate) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Lower-case letters.
pub(crate) const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_streams_differ() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7).next_u64()).collect();
        assert!(a.iter().all(|&x| x == a[0]));
        let mut one = Rng::derive(7, 1, 3);
        let mut two = Rng::derive(7, 1, 3);
        assert_eq!(one.next_u64(), two.next_u64());
        assert_ne!(
            Rng::derive(7, 1, 3).next_u64(),
            Rng::derive(7, 2, 3).next_u64()
        );
        assert_ne!(
            Rng::derive(7, 1, 3).next_u64(),
            Rng::derive(7, 1, 4).next_u64()
        );
    }

    #[test]
    fn below_stays_in_range_and_uuid_is_v4() {
        let mut rng = Rng::new(1);
        for _ in 0..1000 {
            assert!(rng.below(7) < 7);
            let r = rng.range(3, 5);
            assert!((3..=5).contains(&r));
        }
        assert_eq!(rng.uuid().get_version_num(), 4);
    }
}
