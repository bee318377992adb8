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

/// `count` independent streams for the blocks of one consumer (see [`stream`]).
pub fn streams(run_seed: u64, own_seed: u64, count: usize) -> Vec<Rng> {
    let base = mix(run_seed ^ mix(own_seed));
    (0..count as u64).map(|b| seeded(mix(base.wrapping_add(b)))).collect()
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

/// Poisson counts of one mean `lambda`, drawn in constant time by Walker's alias method from
/// one 64-bit draw: the draw times the table's length picks a column (its high half) and a
/// point within it (its low half), which takes the column's own count below the column's
/// threshold and its alias above. The table covers every count whose tail is above 2^-64 of the
/// distribution, and the thresholds resolve 2^-64: the counts are Poisson to the last bit of a
/// draw. For the many inputs of a step with a mean near 1 and above (Brunel's external drive:
/// 2 spikes per neuron and step), where drawing each input spike costs more.
#[derive(Debug, Clone)]
pub struct PoissonTable {
    /// Per column: the threshold below which it gives its own count, and its alias.
    columns: Vec<(u64, u32)>,
    /// The count of column 0 (counts below it have a probability under 2^-64).
    first: u32,
}

impl PoissonTable {
    /// The table for mean `lambda` (> 0 and finite; at most [`PoissonTable::MAX_MEAN`]).
    pub fn new(lambda: f64) -> Self {
        assert!(lambda > 0.0 && lambda <= Self::MAX_MEAN, "a Poisson table's mean must be in (0, {}]", Self::MAX_MEAN);
        // P(k) by the recurrence from the mode down and up (no underflow of e^-lambda for the
        // means allowed), normalised, up to where the tail is below 2^-64.
        let mode = lambda.floor() as usize;
        let mut p = vec![1.0f64];
        let mut k = mode;
        while k > 0 && p[0] > 1e-22 {
            p.insert(0, p[0] * k as f64 / lambda);
            k -= 1;
        }
        let first = k;
        while *p.last().expect("one") > 1e-22 {
            let next = p.last().expect("one") * lambda / (first + p.len()) as f64;
            p.push(next);
        }
        // Counts below `first` are beyond 2^-64 too: column j stands for count first + j.
        let total: f64 = p.iter().sum();
        let n = p.len();
        // Vose's construction on the scaled probabilities n p(k).
        let mut scaled: Vec<f64> = p.iter().map(|q| q / total * n as f64).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&j| scaled[j] < 1.0);
        let mut columns = vec![(u64::MAX, 0u32); n];
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            columns[s] = (threshold(scaled[s]), l as u32);
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left keeps its own count always (1 up to rounding).
        for j in small.into_iter().chain(large) {
            columns[j] = (u64::MAX, j as u32);
        }
        Self { columns, first: first as u32 }
    }

    /// The largest mean a table is made for (its length grows with its spread: 530 columns here).
    pub const MAX_MEAN: f64 = 700.0;

    /// One count.
    #[inline(always)]
    pub fn sample(&self, rng: &mut Rng) -> u32 {
        let spread = rng.random::<u64>() as u128 * self.columns.len() as u128;
        let (column, within) = ((spread >> 64) as usize, spread as u64);
        let (below, alias) = self.columns[column];
        // Which of the two is as likely as not for many columns: a branch would be mispredicted
        // that often (measured: a third of the counts' time), a select costs nothing.
        self.first + std::hint::select_unpredictable(within < below, column as u32, alias)
    }
}

/// `fraction` of 2^64 as a threshold on a 64-bit draw (1 and above: always below it).
fn threshold(fraction: f64) -> u64 {
    if fraction >= 1.0 { u64::MAX } else { (fraction * 18_446_744_073_709_551_616.0) as u64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts from the table against Poisson's probabilities, for means from below 1 to the
    /// largest: every count's frequency within 5 standard errors, and the mean and variance.
    #[test]
    fn poisson_table_draws_poisson_counts() {
        for lambda in [0.3, 2.0, 17.5, 700.0] {
            let (table, mut rng, draws) = (PoissonTable::new(lambda), seeded(7), 400_000);
            let mut seen = std::collections::BTreeMap::<u32, u64>::new();
            for _ in 0..draws {
                *seen.entry(table.sample(&mut rng)).or_default() += 1;
            }
            let (mut mean, mut square) = (0.0, 0.0);
            for (&k, &c) in &seen {
                let (f, k) = (c as f64 / draws as f64, k as f64);
                (mean, square) = (mean + f * k, square + f * k * k);
                // ln P(k) = k ln(lambda) - lambda - ln k!
                let ln_fact: f64 = (1..=k as u64).map(|j| (j as f64).ln()).sum();
                let p = (k * lambda.ln() - lambda - ln_fact).exp();
                let se = (p * (1.0 - p) / draws as f64).sqrt();
                assert!((f - p).abs() < 5.0 * se + 1e-6, "lambda {lambda}, count {k}: {f} against {p}");
            }
            let variance = square - mean * mean;
            let se = (lambda / draws as f64).sqrt();
            assert!((mean - lambda).abs() < 5.0 * se, "lambda {lambda}: mean {mean}");
            assert!((variance / lambda - 1.0).abs() < 0.02, "lambda {lambda}: variance {variance}");
        }
    }
}
