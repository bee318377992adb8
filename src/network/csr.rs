//! Connectivity as compressed sparse rows by presynaptic neuron: the targets of neuron `i` are
//! `targets[offsets[i]..offsets[i + 1]]`, so delivering a spike is one contiguous scan. Every
//! row is sorted by target (each rule makes it so; [`Csr::from_pairs`] checks it), so a stretch
//! of a row lies within the bounds of its first and last target.

use rand::RngExt;

use crate::random::Rng;

/// Groups `(key, item)` pairs by key in `0..n_keys` with a stable counting sort: the items of
/// key `k` are `items[offsets[k]..offsets[k + 1]]`, in their original order. The iterator is
/// walked twice (once to count).
pub fn group_by_key<T: Copy + Default>(
    n_keys: usize,
    pairs: impl Iterator<Item = (u32, T)> + Clone,
) -> (Vec<u32>, Vec<T>) {
    let (mut offsets, mut items) = (Vec::new(), Vec::new());
    group_by_key_into(n_keys, pairs, &mut offsets, &mut items);
    (offsets, items)
}

/// [`group_by_key`] into `offsets` and `items`, reusing their allocations.
pub fn group_by_key_into<T: Copy + Default>(
    n_keys: usize,
    pairs: impl Iterator<Item = (u32, T)> + Clone,
    offsets: &mut Vec<u32>,
    items: &mut Vec<T>,
) {
    offsets.clear();
    offsets.resize(n_keys + 1, 0);
    for (key, _) in pairs.clone() {
        offsets[key as usize + 1] += 1;
    }
    for k in 0..n_keys {
        offsets[k + 1] += offsets[k];
    }
    let mut fill = offsets.clone();
    let len = offsets[n_keys] as usize;
    if items.capacity() < len {
        *items = crate::memory::filled(len, T::default());
    } else {
        items.clear();
        items.resize(len, T::default());
    }
    for (key, item) in pairs {
        items[fill[key as usize] as usize] = item;
        fill[key as usize] += 1;
    }
}

#[derive(Debug, Clone, Default)]
pub struct Csr {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Csr {
    /// Where each row starts in [`Csr::targets`] (and where the last ends).
    pub fn offsets(&self) -> &[u32] {
        &self.offsets
    }
    /// Every row's targets, row after row; each row sorted.
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }
    pub fn n_pre(&self) -> usize {
        self.offsets.len() - 1
    }
    pub fn n_synapses(&self) -> usize {
        self.targets.len()
    }
    #[inline]
    pub fn row(&self, pre: usize) -> &[u32] {
        &self.targets[self.row_range(pre)]
    }
    /// Where row `pre` lies in `targets` (synapse indices).
    pub fn row_range(&self, pre: usize) -> std::ops::Range<usize> {
        self.offsets[pre] as usize..self.offsets[pre + 1] as usize
    }

    /// Rows from `(pre, post)` pairs in any order of sources; within a row the pairs keep their
    /// order, which must be by target.
    ///
    /// # Panics
    /// If a row's targets are out of order: a rule that makes them so is a bug.
    pub fn from_pairs(n_pre: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) -> Csr {
        let (offsets, targets) = group_by_key(n_pre, pairs);
        let csr = Csr { offsets, targets };
        assert!((0..n_pre).all(|pre| csr.row(pre).is_sorted()), "rows are made sorted by target");
        csr
    }

    /// Every ordered pair `(pre, post)` independently with probability `p` (autapses allowed,
    /// no multapses), drawn by geometric skipping: the gap to the next connection is
    /// `floor(ln(u) / ln(1 - p))`, so the cost is proportional to the synapses made.
    pub fn fixed_probability(n_pre: usize, n_post: usize, p: f64, rng: &mut Rng) -> Csr {
        let mut offsets = Vec::with_capacity(n_pre + 1);
        let mut targets = Vec::with_capacity((n_pre as f64 * n_post as f64 * p * 1.01) as usize + 16);
        offsets.push(0);
        let log_q = (1.0 - p).ln();
        for _ in 0..n_pre {
            if p >= 1.0 {
                targets.extend(0..n_post as u32);
            } else if p > 0.0 {
                let mut j = -1i64;
                loop {
                    let u: f64 = 1.0 - rng.random::<f64>(); // (0, 1]
                    j += 1 + (u.ln() / log_q).floor() as i64;
                    if j >= n_post as i64 {
                        break;
                    }
                    targets.push(j as u32);
                }
            }
            offsets.push(targets.len() as u32);
        }
        Csr { offsets, targets }
    }

    /// Every postsynaptic neuron draws exactly `k` sources from `sources` (a range of
    /// presynaptic indices), uniformly with replacement (multapses and autapses allowed, NEST's
    /// `fixed_indegree`), for each range in `in_degrees`; rows come out sorted by target.
    pub fn fixed_in_degree(
        n_pre: usize,
        n_post: usize,
        in_degrees: &[(std::ops::Range<u32>, usize)],
        rng: &mut Rng,
    ) -> Csr {
        let per_post: usize = in_degrees.iter().map(|d| d.1).sum();
        let mut pairs = Vec::with_capacity(n_post * per_post);
        for post in 0..n_post as u32 {
            for (range, k) in in_degrees {
                let span = (range.end - range.start) as u64;
                pairs.extend((0..*k).map(|_| (range.start + (rng.random::<u64>() % span) as u32, post)));
            }
        }
        Csr::from_pairs(n_pre, pairs.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_probability_has_the_binomial_count_and_no_multapses() {
        let mut rng = crate::random::seeded(1);
        let (n, p) = (2000, 0.02);
        let csr = Csr::fixed_probability(n, n, p, &mut rng);
        let expected = (n * n) as f64 * p;
        let sd = (expected * (1.0 - p)).sqrt();
        assert!((csr.n_synapses() as f64 - expected).abs() < 4.0 * sd, "{} synapses", csr.n_synapses());
        for i in 0..n {
            let row = csr.row(i);
            assert!(row.windows(2).all(|w| w[0] < w[1]), "sorted, distinct targets");
            assert!(row.iter().all(|&t| (t as usize) < n));
        }
        let full = Csr::fixed_probability(3, 5, 1.0, &mut rng);
        assert_eq!(full.n_synapses(), 15);
    }

    #[test]
    #[should_panic(expected = "rows are made sorted by target")]
    fn rows_out_of_target_order_are_refused() {
        // Delivery checks only a row's ends against its ring, which holds for sorted rows only.
        Csr::from_pairs(2, [(0, 1), (1, 0), (1, 3), (1, 2)].into_iter());
    }

    #[test]
    fn fixed_in_degree_gives_every_target_exactly_k_sources_from_each_range() {
        let mut rng = crate::random::seeded(2);
        let csr = Csr::fixed_in_degree(100, 50, &[(0..80, 10), (80..100, 3)], &mut rng);
        assert_eq!(csr.n_synapses(), 50 * 13);
        let mut from_e = [0; 50];
        let mut from_i = [0; 50];
        for pre in 0..100 {
            for &t in csr.row(pre) {
                if pre < 80 { from_e[t as usize] += 1 } else { from_i[t as usize] += 1 }
            }
        }
        assert!(from_e.iter().all(|&c| c == 10) && from_i.iter().all(|&c| c == 3));
    }
}
