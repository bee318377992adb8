//! Builds a projection's synapses from its rule: compressed rows by source, with per-synapse
//! weights and delays only where they vary (a constant costs nothing per synapse).

use rand::RngExt;

use super::csr::{Csr, group_by_key};
use super::spec::{Connectivity, Projection};
use crate::random::{Rng, index};

/// A projection's synapses.
#[derive(Debug, Clone)]
pub struct Connections {
    pub csr: Csr,
    /// Per-synapse weights in row order, or `None` when all equal `weight`.
    pub weights: Option<Vec<f32>>,
    pub weight: f64,
    /// Per-synapse delays in steps, or `None` when all equal `delay`.
    pub delays: Option<Vec<u16>>,
    pub delay: u16,
    /// Every row is every target in order (all-to-all): delivery adds a row of weights onto a
    /// contiguous stretch of the ring, which vectorises.
    pub dense: bool,
}

impl Connections {
    pub fn n_synapses(&self) -> usize {
        self.csr.n_synapses()
    }
    pub fn max_delay(&self) -> u16 {
        self.delays.as_ref().and_then(|d| d.iter().max().copied()).unwrap_or(self.delay)
    }
    /// Weight of synapse `s` (index in row order).
    #[inline]
    pub fn weight_of(&self, s: usize) -> f64 {
        self.weights.as_ref().map_or(self.weight, |w| w[s] as f64)
    }
    #[inline]
    pub fn delay_of(&self, s: usize) -> u16 {
        self.delays.as_ref().map_or(self.delay, |d| d[s])
    }
    /// Bytes the synapses take (targets, row offsets, per-synapse weights and delays).
    pub fn bytes(&self) -> usize {
        4 * (self.csr.targets().len() + self.csr.offsets().len())
            + self.weights.as_ref().map_or(0, |w| 4 * w.len())
            + self.delays.as_ref().map_or(0, |d| 2 * d.len())
    }
}

/// [`delay_steps`] of a delay known to fit (at most the longest that was checked): rounds
/// half up by adding a half and truncating, which needs no call into the maths library.
#[inline]
fn nearest_step(delay_ms: f64, dt_ms: f64) -> u16 {
    ((delay_ms.max(0.0) / dt_ms + 0.5) as u16).max(1)
}

/// Steps of an axonal delay: `max(1, round(delay / dt))`.
pub fn delay_steps(delay_ms: f64, dt_ms: f64) -> Result<u16, String> {
    let steps = (delay_ms / dt_ms).round().max(1.0);
    if steps > u16::MAX as f64 {
        return Err(format!("a delay of {delay_ms} ms is {steps} steps of {dt_ms} ms; at most {} steps", u16::MAX));
    }
    Ok(steps as u16)
}

/// Connects `n_pre` sources to `n_post` targets; `same` says source and target populations are
/// one (autapses are then excluded unless the projection allows them).
pub fn connect(
    proj: &Projection,
    n_pre: usize,
    n_post: usize,
    same: bool,
    dt_ms: f64,
    rng: &mut Rng,
) -> Result<Connections, String> {
    let no_self = same && !proj.autapses;
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut picked = Vec::new();
    let mut marks = Vec::new();
    match &proj.rule {
        Connectivity::AllToAll => {
            for pre in 0..n_pre as u32 {
                pairs.extend((0..n_post as u32).filter(|&post| !(no_self && post == pre)).map(|post| (pre, post)));
            }
        }
        Connectivity::OneToOne => pairs.extend((0..n_pre.min(n_post) as u32).map(|i| (i, i))),
        Connectivity::FixedProbability { p } => {
            let csr = Csr::fixed_probability(n_pre, n_post, *p, rng);
            for pre in 0..n_pre {
                pairs.extend(
                    csr.row(pre).iter().filter(|&&post| !(no_self && post as usize == pre)).map(|&t| (pre as u32, t)),
                );
            }
        }
        Connectivity::FixedInDegree { k } => {
            // Each target's `k` sources in turn: the target is implied by the place, half the
            // memory of pairs.
            let k = *k as usize;
            let mut sources = Vec::with_capacity(n_post * k);
            for post in 0..n_post as u32 {
                sample(n_pre, k, no_self.then_some(post), proj.multapses, rng, &mut picked, &mut marks);
                sources.extend_from_slice(&picked);
            }
            let by_target = sources.chunks_exact(k.max(1)).zip(0u32..);
            let pairs = by_target.flat_map(|(from, post)| from.iter().map(move |&pre| (pre, post)));
            return finish(proj, Csr::from_pairs(n_pre, pairs), n_post, dt_ms, rng);
        }
        Connectivity::FixedOutDegree { k } => {
            for pre in 0..n_pre as u32 {
                sample(n_post, *k as usize, no_self.then_some(pre), proj.multapses, rng, &mut picked, &mut marks);
                // A row is sorted by target (multapses are drawn in any order).
                picked.sort_unstable();
                pairs.extend(picked.iter().map(|&post| (pre, post)));
            }
        }
        Connectivity::FixedTotalNumber { n } => {
            pairs.reserve(*n as usize);
            for _ in 0..*n {
                let pre = index(rng, n_pre);
                // Uniform over the allowed pairs: every source has as many targets to draw from.
                let mut post = index(rng, n_post);
                while no_self && post == pre {
                    post = index(rng, n_post);
                }
                pairs.push((post as u32, pre as u32));
            }
            // Grouped by target first, so that the rows (grouped stably by source) come out
            // sorted by target like every other rule's.
            let (by_post, pres) = group_by_key(n_post, pairs.iter().copied());
            drop(pairs);
            let in_target_order = (0..n_post).flat_map(|post| {
                pres[by_post[post] as usize..by_post[post + 1] as usize].iter().map(move |&pre| (pre, post as u32))
            });
            return finish(proj, Csr::from_pairs(n_pre, in_target_order), n_post, dt_ms, rng);
        }
        Connectivity::Explicit { synapses } => return explicit(synapses, n_pre, n_post, dt_ms),
    }
    let csr = Csr::from_pairs(n_pre, pairs.iter().copied());
    drop(pairs);
    finish(proj, csr, n_post, dt_ms, rng)
}

/// A projection's connections from its rows: per-synapse weights and delays drawn in row order
/// where they vary.
fn finish(proj: &Projection, csr: Csr, n_post: usize, dt_ms: f64, rng: &mut Rng) -> Result<Connections, String> {
    let n = csr.n_synapses();
    let weights = (!proj.weight.is_constant()).then(|| {
        let mut weights = crate::memory::filled(n, 0.0f32);
        weights.iter_mut().for_each(|w| *w = proj.weight.draw_signed(rng) as f32);
        weights
    });
    let delays = if proj.delay_ms.is_constant() {
        None
    } else {
        // Checked once at the longest delay the distribution draws, then rounded per synapse.
        delay_steps(proj.delay_ms.bounds().1.max(0.0), dt_ms)?;
        let mut delays = crate::memory::filled(n, 0u16);
        delays.iter_mut().for_each(|d| *d = nearest_step(proj.delay_ms.draw(rng), dt_ms));
        Some(delays)
    };
    let delay = delay_steps(proj.delay_ms.mean().max(0.0), dt_ms)?;
    let dense = is_dense(&csr, n_post);
    Ok(Connections { csr, weights, weight: proj.weight.mean(), delays, delay, dense })
}

/// Whether every row of `csr` is `0..n_post` in order.
fn is_dense(csr: &Csr, n_post: usize) -> bool {
    csr.targets().len() == csr.n_pre() * n_post
        && (0..csr.n_pre()).all(|pre| csr.row(pre).iter().enumerate().all(|(k, &t)| t as usize == k))
}

fn explicit(synapses: &[(u32, u32, f64, f64)], n_pre: usize, n_post: usize, dt_ms: f64) -> Result<Connections, String> {
    let mut order: Vec<usize> = (0..synapses.len()).collect();
    // Rows sorted by target (as every rule makes them); stable, so multapses keep the listed order.
    order.sort_by_key(|&s| (synapses[s].0, synapses[s].1));
    let pairs: Vec<(u32, u32)> = order.iter().map(|&s| (synapses[s].0, synapses[s].1)).collect();
    let csr = Csr::from_pairs(n_pre, pairs.iter().copied());
    let weights = order.iter().map(|&s| synapses[s].2 as f32).collect();
    let delays = order.iter().map(|&s| delay_steps(synapses[s].3, dt_ms)).collect::<Result<Vec<u16>, _>>()?;
    let dense = is_dense(&csr, n_post);
    // One delay for all is stored once.
    match delays.first().copied().filter(|&d| delays.iter().all(|&e| e == d)) {
        Some(delay) => Ok(Connections { csr, weights: Some(weights), weight: 0.0, delays: None, delay, dense }),
        None => Ok(Connections { csr, weights: Some(weights), weight: 0.0, delays: Some(delays), delay: 1, dense }),
    }
}

/// `k` indices from `0..n` into `out`, uniformly, never `skip`; distinct (and in increasing
/// order) unless `multapses`.
/// `marks` is scratch space reused across calls.
pub(crate) fn sample(
    n: usize,
    k: usize,
    skip: Option<u32>,
    multapses: bool,
    rng: &mut Rng,
    out: &mut Vec<u32>,
    marks: &mut Vec<bool>,
) {
    out.clear();
    let draw = |rng: &mut Rng| (rng.random::<u64>() % n as u64) as u32;
    if multapses {
        while out.len() < k {
            let j = draw(rng);
            if Some(j) != skip {
                out.push(j);
            }
        }
        return;
    }
    marks.resize(n, false);
    if let Some(s) = skip {
        marks[s as usize] = true;
    }
    let available = n - skip.is_some() as usize;
    if 2 * k <= available {
        // Rejection: fewer than half taken, so each draw succeeds with probability > 1/2.
        while out.len() < k {
            let j = draw(rng);
            if !marks[j as usize] {
                marks[j as usize] = true;
                out.push(j);
            }
        }
    } else {
        // Dense: a partial Fisher-Yates shuffle of the allowed indices.
        let mut pool: Vec<u32> = (0..n as u32).filter(|&j| !marks[j as usize]).collect();
        for i in 0..k {
            let j = i + (rng.random::<u64>() % (pool.len() - i) as u64) as usize;
            pool.swap(i, j);
        }
        out.extend_from_slice(&pool[..k]);
    }
    for &j in out.iter() {
        marks[j as usize] = false;
    }
    if let Some(s) = skip {
        marks[s as usize] = false;
    }
    out.sort_unstable();
}
