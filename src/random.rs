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

/// Two independent standard normals from one Box-Muller transform.
pub fn normal_pair(rng: &mut Rng) -> (f64, f64) {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
    let u2: f64 = rng.random();
    let radius = (-2.0 * u1.ln()).sqrt();
    let (sin, cos) = (2.0 * std::f64::consts::PI * u2).sin_cos();
    (radius * cos, radius * sin)
}

/// One standard normal (the first of a Box-Muller pair).
pub fn normal(rng: &mut Rng) -> f64 {
    normal_pair(rng).0
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
