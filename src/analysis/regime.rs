//! A network's dynamical state from its spikes, measured as a run streams them (memory grows
//! with the neurons and the bins, not with the spikes), and the state's name in Brunel's (2000)
//! terms: synchronous regular (SR), asynchronous irregular (AI), synchronous irregular with a
//! fast or a slow rhythm (SI fast, SI slow), or quiescent.

use serde::Serialize;

use super::activity::{peak_frequency, power_spectrum};
use crate::engine::Observer;
use crate::network::Spike;

/// Bin of the population rate whose spectrum is taken: up to 500 Hz without aliasing (SR
/// oscillates at the single neurons' 330 Hz).
pub const BIN_MS: f64 = 0.5;
/// Bins of the synchrony measure, in spectrum bins (2 ms): fine enough for Brunel's fast rhythm
/// (about 180 Hz, a 5.5 ms period), coarse enough that a slow rhythm's synchrony stands out of
/// the single neurons' own count noise.
pub const SYNCHRONY_BINS: usize = 4;

/// The measures of one run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Measures {
    /// Mean rate per neuron (Hz).
    pub rate_hz: f64,
    /// Mean over neurons with at least 3 intervals of the coefficient of variation of their
    /// inter-spike intervals; `None` when no neuron has 3.
    pub cv_isi: Option<f64>,
    /// The variance ratio chi (Golomb 2007, on binned spike counts): the standard deviation of
    /// the population's mean activity over the root mean square of the single neurons'. About
    /// `1/sqrt(N)` for independent neurons, 1 for identical ones.
    pub synchrony: f64,
    /// The population rate's spectral peak between 5 and 500 Hz.
    pub peak_hz: Option<f64>,
}

/// Brunel's (2000, Fig. 2 and 8) states of the sparse E/I network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Regime {
    Quiescent,
    #[serde(rename = "SR")]
    SynchronousRegular,
    #[serde(rename = "AI")]
    AsynchronousIrregular,
    #[serde(rename = "SI fast")]
    SynchronousIrregularFast,
    #[serde(rename = "SI slow")]
    SynchronousIrregularSlow,
}

impl Regime {
    pub fn label(self) -> &'static str {
        match self {
            Regime::Quiescent => "quiescent",
            Regime::SynchronousRegular => "SR",
            Regime::AsynchronousIrregular => "AI",
            Regime::SynchronousIrregularFast => "SI fast",
            Regime::SynchronousIrregularSlow => "SI slow",
        }
    }
}

/// The rules, after Brunel (2000): a state is synchronous when the population activity
/// oscillates (chi well above the `1/sqrt(N)` of independent neurons), regular when single
/// neurons fire like clocks (CV of the intervals well below a Poisson process's 1), and its
/// rhythm fast when the oscillation is near the inverse of the transmission delay (Brunel's SI
/// fast: 150-200 Hz with a 1.5 ms delay; SI slow: below 50 Hz, driven by the inhibition's slow
/// recovery). The thresholds sit between the values of Brunel's four example states (Fig. 8)
/// at full size, seeds 1-3, 400 ms after a 100 ms transient, as this engine and NEST give them
/// (tests/reference/brunel_states.csv): chi 0.11-0.15 (AI), 0.18-0.22 (SI slow), 0.22-0.27
/// (SI fast), 0.50 (SR); CV 0.001 (SR) against 0.42-0.83 (the others); peaks 20-30 Hz (SI
/// slow), 175-193 Hz (SI fast).
pub fn classify(m: &Measures) -> Regime {
    const QUIESCENT_HZ: f64 = 0.5;
    const SYNCHRONOUS_CHI: f64 = 0.17;
    const REGULAR_CV: f64 = 0.2;
    const FAST_HZ: f64 = 80.0;
    if m.rate_hz < QUIESCENT_HZ {
        return Regime::Quiescent;
    }
    if m.cv_isi.is_some_and(|cv| cv < REGULAR_CV) {
        return Regime::SynchronousRegular;
    }
    if m.synchrony < SYNCHRONOUS_CHI {
        return Regime::AsynchronousIrregular;
    }
    match m.peak_hz {
        Some(f) if f >= FAST_HZ => Regime::SynchronousIrregularFast,
        _ => Regime::SynchronousIrregularSlow,
    }
}

/// Streams a run's spikes of some of its neurons from `t0_ms` (the transient before it is left
/// out) up to `t1_ms`.
#[derive(Debug, Clone)]
pub struct Activity {
    /// Per global neuron: its place among the measured ones, or `u32::MAX`.
    index: Vec<u32>,
    t0_ms: f64,
    t1_ms: f64,
    /// Spikes per bin, all neurons together.
    bins: Vec<u32>,
    /// Per neuron: its last spike time and synchrony bin, the spikes in that bin, and the sums
    /// over its bins of the count squared, of the intervals and of the intervals squared.
    neurons: Vec<NeuronStats>,
}

#[derive(Debug, Clone, Copy, Default)]
struct NeuronStats {
    spikes: u32,
    /// Spikes in whole synchrony bins (the variance's mean).
    counted: u32,
    last_ms: Option<f64>,
    bin: usize,
    in_bin: u32,
    count_sq: f64,
    intervals: u32,
    isi_sum: f64,
    isi_sq: f64,
}

impl NeuronStats {
    fn close_bin(&mut self) {
        self.count_sq += (self.in_bin as f64).powi(2);
        self.in_bin = 0;
    }
}

impl Activity {
    /// Measures the neurons among `0..n_neurons` that `measured` selects.
    pub fn new(n_neurons: usize, measured: impl Fn(usize) -> bool, t0_ms: f64, t1_ms: f64) -> Self {
        let mut count = 0;
        let index = (0..n_neurons)
            .map(|g| {
                if !measured(g) {
                    return u32::MAX;
                }
                count += 1;
                count - 1
            })
            .collect();
        let bins = ((t1_ms - t0_ms) / BIN_MS).floor().max(0.0) as usize;
        Self { index, t0_ms, t1_ms, bins: vec![0; bins], neurons: vec![NeuronStats::default(); count as usize] }
    }

    pub fn measures(&self) -> Measures {
        let (rate_hz, cv_isi, synchrony) = self.single_cells_and_synchrony();
        let rate: Vec<f64> = self.bins.iter().map(|&c| c as f64).collect();
        let peak_hz = peak_frequency(&power_spectrum(&rate, BIN_MS, 500.0), 5.0, 500.0);
        Measures { rate_hz, cv_isi, synchrony, peak_hz }
    }

    /// The measures but the spectral peak (whose spectrum costs time in proportion to the
    /// run's length squared): rate, mean CV and synchrony.
    pub fn single_cells_and_synchrony(&self) -> (f64, Option<f64>, f64) {
        let n = self.neurons.len().max(1) as f64;
        let total: u32 = self.neurons.iter().map(|s| s.spikes).sum();
        let rate_hz = total as f64 / n / ((self.t1_ms - self.t0_ms) * 1e-3).max(f64::MIN_POSITIVE);
        let cvs: Vec<f64> = self
            .neurons
            .iter()
            .filter(|s| s.intervals >= 3 && s.isi_sum > 0.0)
            .map(|s| {
                let k = s.intervals as f64;
                let mean = s.isi_sum / k;
                let var = ((s.isi_sq - k * mean * mean) / (k - 1.0)).max(0.0);
                var.sqrt() / mean
            })
            .collect();
        let cv_isi = (!cvs.is_empty()).then(|| cvs.iter().sum::<f64>() / cvs.len() as f64);
        // Variance over time of the population mean activity, against the mean over neurons of
        // each one's variance over time (counts per synchrony bin).
        let coarse: Vec<f64> =
            self.bins.chunks_exact(SYNCHRONY_BINS).map(|c| c.iter().sum::<u32>() as f64 / n).collect();
        let bins = coarse.len().max(1) as f64;
        let mean_pop = coarse.iter().sum::<f64>() / bins;
        let var_pop = coarse.iter().map(|a| (a - mean_pop).powi(2)).sum::<f64>() / bins;
        let var_single = self
            .neurons
            .iter()
            .map(|s| {
                let mut s = *s;
                s.close_bin();
                let mean = s.counted as f64 / bins;
                s.count_sq / bins - mean * mean
            })
            .sum::<f64>()
            / n;
        let synchrony = if var_single > 0.0 { (var_pop / var_single).sqrt().min(1.0) } else { 0.0 };
        (rate_hz, cv_isi, synchrony)
    }
}

impl Observer for Activity {
    fn spike(&mut self, spike: Spike) {
        let Some(i) = self.index.get(spike.neuron as usize).filter(|&&i| i != u32::MAX).map(|&i| i as usize) else {
            return;
        };
        if spike.t_ms < self.t0_ms || spike.t_ms >= self.t1_ms {
            return;
        }
        let bin = (((spike.t_ms - self.t0_ms) / BIN_MS) as usize).min(self.bins.len().saturating_sub(1));
        if let Some(count) = self.bins.get_mut(bin) {
            *count += 1;
        }
        let s = &mut self.neurons[i];
        if let Some(last) = s.last_ms {
            let isi = spike.t_ms - last;
            s.intervals += 1;
            s.isi_sum += isi;
            s.isi_sq += isi * isi;
        }
        // Synchrony bins: whole ones only, as the population's.
        let coarse = bin / SYNCHRONY_BINS;
        if coarse < self.bins.len() / SYNCHRONY_BINS {
            if coarse != s.bin {
                s.close_bin();
                s.bin = coarse;
            }
            s.in_bin += 1;
            s.counted += 1;
        }
        s.spikes += 1;
        s.last_ms = Some(spike.t_ms);
    }
    fn sample(&mut self, _: f64, _: &[f64]) {}
    fn wants_weights(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt as _;

    fn stream(spikes: impl IntoIterator<Item = (f64, u32)>, n: usize, t1: f64) -> Measures {
        let mut activity = Activity::new(n, |_| true, 0.0, t1);
        let mut all: Vec<Spike> = spikes.into_iter().map(|(t_ms, neuron)| Spike { t_ms, neuron }).collect();
        all.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
        all.into_iter().for_each(|s| activity.spike(s));
        activity.measures()
    }

    #[test]
    fn clocks_in_phase_are_regular_and_synchronous() {
        // 100 neurons firing every 10 ms for 1 s, each volley spread over 4 ms: 100 Hz, CV 0,
        // the spectrum's peak at the volleys' 100 Hz. Per 10 ms (five 2 ms bins) the population
        // fires fractions 0.3, 0.5, 0.2, 0, 0 (variance 0.036) and each neuron once (variance
        // 1/5 - 1/25 = 0.16): chi = sqrt(0.036 / 0.16).
        let volley = |k: u32| (0..100).map(move |i| (k as f64 * 10.0 + 1.0 + (i % 10) as f64 * 0.4, i));
        let m = stream((0..100).flat_map(volley), 100, 1000.0);
        assert!((m.rate_hz - 100.0).abs() < 1e-9, "{m:?}");
        assert!(m.cv_isi.unwrap() < 1e-9 && (m.synchrony - (0.036f64 / 0.16).sqrt()).abs() < 1e-9, "{m:?}");
        assert!((m.peak_hz.unwrap() - 100.0).abs() < 1.5, "{m:?}");
        assert_eq!(classify(&m), Regime::SynchronousRegular);
    }

    #[test]
    fn independent_poisson_trains_are_asynchronous_irregular() {
        // 400 independent Poisson trains at 20 Hz: CV near 1, chi near 1/sqrt(400) = 0.05.
        let mut rng = crate::random::stream(7, 0);
        let mut spikes = Vec::new();
        for i in 0..400 {
            let mut t = 0.0;
            loop {
                t += -50.0 * (1.0 - rng.random::<f64>()).ln();
                if t >= 2000.0 {
                    break;
                }
                spikes.push((t, i));
            }
        }
        let m = stream(spikes, 400, 2000.0);
        assert!((m.rate_hz - 20.0).abs() < 1.0, "{m:?}");
        assert!((m.cv_isi.unwrap() - 1.0).abs() < 0.05, "{m:?}");
        assert!((m.synchrony - 0.05).abs() < 0.02, "{m:?}");
        assert_eq!(classify(&m), Regime::AsynchronousIrregular);
    }

    #[test]
    fn silence_is_quiescent() {
        let m = stream([(5.0, 0)], 100, 1000.0);
        assert_eq!(classify(&m), Regime::Quiescent);
    }
}
