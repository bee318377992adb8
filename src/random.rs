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

/// A standard normal draw by Marsaglia & Tsang's (2000) ziggurat of 256 layers: one 64-bit draw,
/// a multiply and a compare on 98.5 % of draws, inlined (the thalamic noise of a network draws
/// one per neuron and step; `rand_distr`'s own sampler is the same algorithm, but a call away).
#[inline(always)]
pub fn normal(rng: &mut Rng) -> f64 {
    let layers = &*ZIGGURAT;
    loop {
        let bits = rng.random::<u64>();
        // The low 8 bits pick a layer, the top 52 a point in [-1, 1) across it (2 + [0, 2) - 3).
        let i = (bits & 0xff) as usize;
        let u = f64::from_bits((bits >> 12) | 2f64.to_bits()) - 3.0;
        let x = u * layers.x[i];
        if x.abs() < layers.x[i + 1] {
            return x;
        }
        if let Some(x) = layers.outside(rng, i, u, x) {
            return x;
        }
    }
}

/// The ziggurat's layers: layer `i` spans `|x| < x[i]` at heights from `f[i]` to `f[i + 1]`
/// (`f = e^{-x²/2}`), each of area `V`; layer 0 is the base strip with the tail beyond `R`.
struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

static ZIGGURAT: std::sync::LazyLock<Ziggurat> = std::sync::LazyLock::new(Ziggurat::new);

impl Ziggurat {
    /// Where the tail starts, and each layer's area (Marsaglia & Tsang 2000, 256 layers).
    const R: f64 = 3.654_152_885_361_009;
    const V: f64 = 0.004_928_673_233_99;

    fn new() -> Self {
        let pdf = |x: f64| (-0.5 * x * x).exp();
        let mut x = [0.0; 257];
        x[0] = Self::V / pdf(Self::R);
        x[1] = Self::R;
        for i in 2..256 {
            x[i] = (-2.0 * (Self::V / x[i - 1] + pdf(x[i - 1])).ln()).sqrt();
        }
        Self { x, f: x.map(pdf) }
    }

    /// A draw in layer `i` beyond the next layer's edge (1.5 % of draws): from the tail for the
    /// base strip, else the point itself if it lies under the density (`None`: draw again).
    #[cold]
    #[inline(never)]
    fn outside(&self, rng: &mut Rng, i: usize, u: f64, x: f64) -> Option<f64> {
        if i == 0 {
            // Marsaglia's tail: R + an exponential of rate R, accepted with e^{-t²/2}.
            loop {
                let t = -(1.0 - rng.random::<f64>()).ln() / Self::R;
                let y = -(1.0 - rng.random::<f64>()).ln();
                if 2.0 * y >= t * t {
                    return Some(if u < 0.0 { -(Self::R + t) } else { Self::R + t });
                }
            }
        }
        let height = self.f[i + 1] + (self.f[i] - self.f[i + 1]) * rng.random::<f64>();
        (height < (-0.5 * x * x).exp()).then_some(x)
    }
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

    /// The layers against the published table's ends (Marsaglia & Tsang's construction, as
    /// tabulated to 18 digits by the rand project's `ziggurat_tables.py`).
    #[test]
    fn the_ziggurat_layers_are_the_published_ones() {
        let z = &*ZIGGURAT;
        for (i, published) in [(0, 3.910_757_959_537_09), (2, 3.449_278_298_560_964), (55, 2.113_687_150_684_934)] {
            assert!((z.x[i] - published).abs() < 1e-12, "x[{i}] = {} against {published}", z.x[i]);
        }
        assert!((z.f[0] - 0.000_477_467_764_586_655).abs() < 1e-15 && z.x[256] == 0.0 && z.f[256] == 1.0);
        // The last layer ends at 0 with the same area as the others: the recurrence closed.
        let top = z.x[255] * (1.0 - z.f[255]);
        assert!((top / Ziggurat::V - 1.0).abs() < 1e-6, "top layer's area {top}");
    }

    /// A million draws against a million of `rand_distr`'s standard normal (an independent
    /// implementation): two-sample Kolmogorov-Smirnov distance under its 0.1 % critical value,
    /// the moments, and both tails beyond 3 and 4 (where the slow paths draw) within 5 standard
    /// errors of the normal's probabilities.
    #[test]
    fn normal_draws_are_standard_normal() {
        let n = 1_000_000;
        let (mut rng, mut other) = (seeded(11), seeded(12));
        let mut ours: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
        let mut theirs: Vec<f64> = (0..n).map(|_| other.sample(rand_distr::StandardNormal)).collect();
        ours.sort_by(f64::total_cmp);
        theirs.sort_by(f64::total_cmp);
        let (mut a, mut b, mut distance) = (0, 0, 0.0f64);
        while a < n && b < n {
            if ours[a] <= theirs[b] {
                a += 1
            } else {
                b += 1
            }
            distance = distance.max((a as f64 - b as f64).abs() / n as f64);
        }
        assert!(distance < 1.95 * (2.0 / n as f64).sqrt(), "KS distance {distance}");
        let moment = |k: i32| ours.iter().map(|x| x.powi(k)).sum::<f64>() / n as f64;
        assert!(moment(1).abs() < 5e-3 && (moment(2) - 1.0).abs() < 7e-3 && (moment(4) - 3.0).abs() < 0.05);
        for (beyond, p) in [(3.0, 2.699_796e-3), (4.0, 6.334_248e-5)] {
            let f = ours.iter().filter(|x| x.abs() > beyond).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!((f - p).abs() < 5.0 * se, "P(|x| > {beyond}) = {f} against {p}");
        }
    }

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
