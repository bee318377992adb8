//! A network's activity population by population, as Potjans & Diesmann (2014, Fig. 6) report
//! it: the mean rate, the irregularity of single cells (mean CV of their intervals), the
//! synchrony of the population, and the spread of single-cell rates as a box plot.

use serde::Serialize;

use super::regime::Activity;
use crate::engine::Observer;
use crate::network::{NetworkSpec, Spike};

/// The start of the stretch measured in a run of `duration_ms`: the first 200 ms hold the
/// transient from the initial potentials, unless that would leave less than half the run.
pub fn measured_from_ms(duration_ms: f64) -> f64 {
    200.0f64.min(0.5 * duration_ms)
}

/// The five numbers of a box plot (Tukey's: whiskers at the most extreme values within 1.5
/// times the box's height of it) and the mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BoxStats {
    pub low: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub high: f64,
    pub mean: f64,
}

impl BoxStats {
    pub fn of(values: &[f64]) -> Option<BoxStats> {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n == 0 {
            return None;
        }
        // Linear interpolation between order statistics (numpy's default percentile).
        let at = |q: f64| {
            let x = q * (n - 1) as f64;
            let (i, f) = (x.floor() as usize, x - x.floor());
            v[i] + f * (v[(i + 1).min(n - 1)] - v[i])
        };
        let (q1, median, q3) = (at(0.25), at(0.5), at(0.75));
        let reach = 1.5 * (q3 - q1);
        let low = v.iter().copied().find(|&x| x >= q1 - reach).unwrap_or(q1);
        let high = v.iter().rev().copied().find(|&x| x <= q3 + reach).unwrap_or(q3);
        Some(BoxStats { low, q1, median, q3, high, mean: v.iter().sum::<f64>() / n as f64 })
    }
}

/// One population's measures over a stretch of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PopulationActivity {
    pub name: String,
    pub rate_hz: f64,
    /// Mean over cells with at least 3 intervals of their CV; `None` when none has 3.
    pub cv_isi: Option<f64>,
    /// Golomb's chi on 2 ms bins (see [`super::regime::Measures::synchrony`]).
    pub synchrony: f64,
    /// Single-cell rates (Hz), silent cells included.
    pub rates: BoxStats,
}

/// The measures of every population of `spec` (spike sources too) from the spikes in
/// `[t0_ms, t1_ms)`.
pub fn population_activity<'a>(
    spec: &NetworkSpec,
    spikes: impl Iterator<Item = &'a Spike> + Clone,
    (t0_ms, t1_ms): (f64, f64),
) -> Vec<PopulationActivity> {
    let span_s = ((t1_ms - t0_ms) * 1e-3).max(f64::MIN_POSITIVE);
    spec.offsets()
        .iter()
        .zip(&spec.populations)
        .map(|(&first, pop)| {
            let range = first..first + pop.size;
            let mine = spikes.clone().filter(|s| range.contains(&s.neuron) && s.t_ms >= t0_ms && s.t_ms < t1_ms);
            let mut activity = Activity::new(pop.size as usize, |_| true, t0_ms, t1_ms);
            let mut counts = vec![0u32; pop.size as usize];
            for s in mine {
                counts[(s.neuron - first) as usize] += 1;
                activity.spike(Spike { t_ms: s.t_ms, neuron: s.neuron - first });
            }
            let (rate_hz, cv_isi, synchrony) = activity.single_cells_and_synchrony();
            let rates: Vec<f64> = counts.iter().map(|&c| c as f64 / span_s).collect();
            PopulationActivity {
                name: pop.name.clone(),
                rate_hz,
                cv_isi,
                synchrony,
                rates: BoxStats::of(&rates).expect("a population has neurons"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_stats_match_numpy_and_tukey_whiskers() {
        // numpy.percentile([1..=8, 100], [25, 50, 75]) = 3, 5, 7; 100 lies beyond 7 + 1.5 * 4.
        let values = [4.0, 1.0, 8.0, 100.0, 2.0, 7.0, 3.0, 6.0, 5.0];
        let b = BoxStats::of(&values).unwrap();
        assert_eq!((b.low, b.q1, b.median, b.q3, b.high), (1.0, 3.0, 5.0, 7.0, 8.0));
        assert!((b.mean - 136.0 / 9.0).abs() < 1e-12);
        // Even count: interpolated halfway, as numpy.
        let b = BoxStats::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!((b.q1, b.median, b.q3), (1.75, 2.5, 3.25));
    }
}
