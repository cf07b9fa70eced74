//! The model's random streams: a `Pcg64Mcg` generator (the PCG paper's 128-bit MCG with the
//! XSL-RR output, value-identical to `rand_pcg::Pcg64Mcg`) seeded from the drill's [`Seed`] plus a
//! stable label, and the few distributions the engine needs, mapped from `next_u64` by hand.
//!
//! Owns: seeding, sub-streams and sampling. Must not: read any clock or global state, or depend
//! on a distribution implementation whose values may change across crate versions.

use crate::domain::{Seed, stable_hash};

const MULTIPLIER: u128 = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645;

/// A seeded generator. Cheap to copy; the engine owns one per sub-stream.
#[derive(Debug, Clone)]
pub struct SimRng {
    state: u128,
}

impl SimRng {
    /// `Pcg64Mcg::seed_from_u64`: the seed is expanded with rand_core's PCG32 filler, so the
    /// stream is the same one the published crate gives (pinned by the golden test below).
    pub fn seed_from_u64(mut state: u64) -> Self {
        const MUL: u64 = 6_364_136_223_846_793_005;
        const INC: u64 = 11_634_580_027_462_260_723;
        let mut seed = [0u8; 16];
        for chunk in seed.chunks_mut(4) {
            state = state.wrapping_mul(MUL).wrapping_add(INC);
            let xorshifted = (((state >> 18) ^ state) >> 27) as u32;
            let rot = (state >> 59) as u32;
            chunk.copy_from_slice(&xorshifted.rotate_right(rot).to_le_bytes());
        }
        Self {
            state: u128::from_le_bytes(seed) | 1,
        }
    }

    /// The sub-stream for `label` under `seed`: independent labels give independent streams,
    /// and adding a new stream never shifts the values of an existing one.
    pub fn stream(seed: Seed, label: &str) -> Self {
        Self::seed_from_u64(seed.0 ^ stable_hash(label.as_bytes()))
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_mul(MULTIPLIER);
        let rot = (self.state >> 122) as u32;
        let xsl = ((self.state >> 64) as u64) ^ (self.state as u64);
        xsl.rotate_right(rot)
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline]
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in (0, 1]: safe under `ln`.
    #[inline]
    pub fn f64_open0(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Exponential with the given mean.
    #[inline]
    pub fn exp(&mut self, mean: f64) -> f64 {
        -self.f64_open0().ln() * mean
    }

    /// Exponential with the given mean, rounded to a whole number of nanoseconds: the same
    /// value as `self.exp(mean).round() as u64`.
    #[inline]
    pub fn exp_ns(&mut self, mean: f64) -> u64 {
        round_ns(self.exp(mean))
    }

    /// Uniform integer in [0, n) (Lemire's multiply-shift with rejection); 0 when `n` is 0.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.f64() < p
    }

    /// Uniform in [lo, hi].
    pub fn range_f64(&mut self, lo: f64, hi: f64) -> f64 {
        if hi <= lo {
            lo
        } else {
            lo + (hi - lo) * self.f64()
        }
    }

    /// Uniform integer in [lo, hi].
    pub fn range_u32(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            lo
        } else {
            lo + self.below(u64::from(hi - lo) + 1) as u32
        }
    }
}

/// `x.round() as u64`: halves away from zero, negative and NaN to 0, saturating at
/// `u64::MAX`. A baseline x86-64 build calls a library routine for `f64::round`; this is a
/// truncating cast and one comparison, and it is exact: the fraction `x - trunc(x)` of a
/// double is itself a double.
#[inline]
pub fn round_ns(x: f64) -> u64 {
    // The cast truncates toward zero and saturates, as the cast after `round` does.
    let whole = x as u64;
    if x - whole as f64 >= 0.5 {
        whole.saturating_add(1)
    } else {
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_values_match_the_published_pcg64mcg_stream() {
        let mut rng = SimRng::seed_from_u64(42);
        assert_eq!(rng.next_u64(), 10_580_897_095_847_554_459);
        assert_eq!(rng.next_u64(), 2_459_073_333_136_617_071);
    }

    #[test]
    fn streams_differ_by_label_and_repeat_by_label() {
        let a = SimRng::stream(Seed(7), "engine").next_u64();
        let b = SimRng::stream(Seed(7), "variant").next_u64();
        assert_ne!(a, b);
        assert_eq!(a, SimRng::stream(Seed(7), "engine").next_u64());
    }

    #[test]
    fn round_ns_is_round_then_cast() {
        let edges = [
            0.0,
            -0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            -0.4,
            -0.5,
            -3.7,
            4_503_599_627_370_495.5,
            9_007_199_254_740_993.0,
            1.8446744073709552e19,
            1e30,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
        ];
        for x in edges {
            assert_eq!(round_ns(x), x.round() as u64, "{x}");
        }
        let mut rng = SimRng::seed_from_u64(3);
        for i in 0..100_000 {
            let x = rng.exp(10f64.powi(i % 12));
            assert_eq!(round_ns(x), x.round() as u64, "{x}");
            let h = (rng.below(1 << 40) as f64) + 0.5;
            assert_eq!(round_ns(h), h.round() as u64, "{h}");
        }
    }

    #[test]
    fn uniform_and_exponential_means_are_right() {
        let mut rng = SimRng::seed_from_u64(1);
        let n = 200_000;
        let mean_u: f64 = (0..n).map(|_| rng.f64()).sum::<f64>() / n as f64;
        let mean_e: f64 = (0..n).map(|_| rng.exp(3.0)).sum::<f64>() / n as f64;
        assert!((mean_u - 0.5).abs() < 0.005, "{mean_u}");
        assert!((mean_e - 3.0).abs() < 0.05, "{mean_e}");
        for _ in 0..1000 {
            assert!(rng.below(7) < 7);
        }
        assert_eq!(rng.below(0), 0);
    }
}
