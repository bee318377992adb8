//! The random numbers of simulations: one generator type, seeded streams, normal and Poisson
//! draws. Xoshiro256++ is fast, cloneable (a `Simulation` is `Clone`) and reproducible for a seed.

use rand::{RngExt, SeedableRng};

pub type Rng = rand::rngs::Xoshiro256PlusPlus;

pub fn seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// splitmix64: spreads a seed's bits so neighbouring seeds give unrelated streams.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An independent stream for one consumer (a stimulus component) of a run: it depends on the
/// run's seed and the consumer's own seed only.
pub fn stream(run_seed: u64, own_seed: u64) -> Rng {
    seeded(mix(run_seed ^ mix(own_seed)))
}

/// A standard normal draw (Ziggurat: a few nanoseconds, no transcendental call on most draws;
/// the thalamic noise of a network draws one per neuron and step).
#[inline]
pub fn normal(rng: &mut Rng) -> f64 {
    rng.sample(rand_distr::StandardNormal)
}

/// An exponential draw with mean 1 (Ziggurat).
#[inline]
pub fn exponential(rng: &mut Rng) -> f64 {
    rng.sample(rand_distr::Exp1)
}

/// A uniform index in `0..n` (multiply-shift: one draw, no division; bias below 2^-32 for the
/// sizes a network has).
#[inline]
pub fn index(rng: &mut Rng, n: usize) -> usize {
    (((rng.random::<u64>() >> 32) * n as u64) >> 32) as usize
}

/// A Poisson count with mean `lambda`, by inversion (for the small means of one step).
pub fn poisson(rng: &mut Rng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    let limit = (-lambda).exp();
    let (mut k, mut p) = (0, rng.random::<f64>());
    while p > limit {
        k += 1;
        p *= rng.random::<f64>();
    }
    k
}
