//! Population activity from spike lists: binned rates, inter-spike intervals, the coefficient
//! of variation, the power spectrum of the population rate, and degree counts.

use crate::network::Spike;

/// The population rate in Hz per neuron: spikes of neurons in `neurons` counted in bins of
/// `bin_ms` from `t0`, as `(bin centre, rate)`.
pub fn population_rate(
    spikes: &[Spike],
    neurons: std::ops::Range<u32>,
    t0: f64,
    t1: f64,
    bin_ms: f64,
) -> Vec<[f64; 2]> {
    let n_bins = ((t1 - t0) / bin_ms).floor().max(0.0) as usize;
    let mut counts = vec![0u32; n_bins];
    for s in spikes.iter().filter(|s| neurons.contains(&s.neuron) && s.t_ms >= t0) {
        let k = ((s.t_ms - t0) / bin_ms) as usize;
        if k < n_bins {
            counts[k] += 1;
        }
    }
    let scale = 1000.0 / (bin_ms * neurons.len().max(1) as f64);
    counts.iter().enumerate().map(|(k, &c)| [t0 + (k as f64 + 0.5) * bin_ms, c as f64 * scale]).collect()
}

/// Inter-spike intervals of every neuron, grouped by neuron (`n` neurons from `first`).
pub fn intervals_by_neuron(spikes: &[Spike], first: u32, n: usize) -> Vec<Vec<f64>> {
    let mut last = vec![f64::NAN; n];
    let mut isis = vec![Vec::new(); n];
    for s in spikes {
        let Some(i) = s.neuron.checked_sub(first).map(|i| i as usize).filter(|&i| i < n) else { continue };
        if last[i].is_finite() {
            isis[i].push(s.t_ms - last[i]);
        }
        last[i] = s.t_ms;
    }
    isis
}

/// Coefficient of variation (sd / mean) of intervals; `None` with fewer than 3 intervals.
pub fn cv(intervals: &[f64]) -> Option<f64> {
    if intervals.len() < 3 {
        return None;
    }
    let n = intervals.len() as f64;
    let mean = intervals.iter().sum::<f64>() / n;
    let var = intervals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean > 0.0).then(|| var.sqrt() / mean)
}

/// Counts of `values` in `bins` equal bins over `[lo, hi)`, as `(bin centre, count)`.
pub fn histogram(values: impl Iterator<Item = f64>, lo: f64, hi: f64, bins: usize) -> Vec<[f64; 2]> {
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0.0; bins];
    for v in values {
        let k = ((v - lo) / width).floor();
        if k >= 0.0 && (k as usize) < bins {
            counts[k as usize] += 1.0;
        }
    }
    counts.iter().enumerate().map(|(k, &c)| [lo + (k as f64 + 0.5) * width, c]).collect()
}

/// Power spectrum of a signal sampled every `dt_ms` (mean removed, Hann window), at the
/// frequencies `k / T` up to `max_hz`, as `(Hz, power)`. A direct transform: the rates this
/// is for have a few thousand samples, and only the low frequencies are wanted.
pub fn power_spectrum(signal: &[f64], dt_ms: f64, max_hz: f64) -> Vec<[f64; 2]> {
    let n = signal.len();
    if n < 4 {
        return Vec::new();
    }
    let mean = signal.iter().sum::<f64>() / n as f64;
    let tau = std::f64::consts::TAU;
    let windowed: Vec<f64> =
        signal.iter().enumerate().map(|(j, x)| (x - mean) * 0.5 * (1.0 - (tau * j as f64 / n as f64).cos())).collect();
    let duration_s = n as f64 * dt_ms * 1e-3;
    let k_max = ((max_hz * duration_s) as usize).min(n / 2);
    (1..=k_max)
        .map(|k| {
            let w = tau * k as f64 / n as f64;
            let (mut re, mut im) = (0.0, 0.0);
            for (j, x) in windowed.iter().enumerate() {
                let (sin, cos) = (w * j as f64).sin_cos();
                re += x * cos;
                im -= x * sin;
            }
            [k as f64 / duration_s, (re * re + im * im) / n as f64]
        })
        .collect()
}

/// The frequency with the most power within `[lo_hz, hi_hz]`.
pub fn peak_frequency(spectrum: &[[f64; 2]], lo_hz: f64, hi_hz: f64) -> Option<f64> {
    spectrum.iter().filter(|p| p[0] >= lo_hz && p[0] <= hi_hz).max_by(|a, b| a[1].total_cmp(&b[1])).map(|p| p[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_cv_and_spectrum_of_known_trains() {
        // A regular 40 Hz train in each of 10 neurons: rate 40 Hz, CV 0, spectral peak at 40 Hz.
        let spikes: Vec<Spike> =
            (0..40).flat_map(|k| (0..10).map(move |i| Spike { t_ms: k as f64 * 25.0 + 1.0, neuron: i })).collect();
        let rate = population_rate(&spikes, 0..10, 0.0, 1000.0, 1.0);
        let mean = rate.iter().map(|p| p[1]).sum::<f64>() / rate.len() as f64;
        assert!((mean - 40.0).abs() < 1e-9);
        let isis = intervals_by_neuron(&spikes, 0, 10);
        assert!(isis.iter().all(|i| i.len() == 39 && cv(i) == Some(0.0)));
        let signal: Vec<f64> = rate.iter().map(|p| p[1]).collect();
        let spectrum = power_spectrum(&signal, 1.0, 100.0);
        assert_eq!(peak_frequency(&spectrum, 10.0, 100.0), Some(40.0));
        let h = histogram(isis.iter().flatten().copied(), 0.0, 50.0, 10);
        assert_eq!(h[5], [27.5, 390.0], "all 390 intervals are 25 ms");
    }
}
