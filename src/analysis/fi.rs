//! f-I curves: the same preset driven by a DC stimulus at each current.

use crate::engine::Simulation;
use crate::network::Spike;
use crate::preset::Preset;
use crate::stimulus::Stimulus;

use super::spikes::steady_rate_hz;

/// One point of an f-I curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FiPoint {
    pub current: f64,
    /// Spike count / duration.
    pub rate_hz: f64,
    /// 1000 / mean ISI (after the first spike).
    pub steady_rate_hz: f64,
    pub first_spike_ms: Option<f64>,
    /// First and last inter-spike intervals: their ratio measures adaptation.
    pub first_isi_ms: Option<f64>,
    pub last_isi_ms: Option<f64>,
}

/// Spike times of `preset` driven by DC `current` from rest for `duration_ms` (the preset's
/// stimulus replaced by one DC component: the same mechanism every protocol uses).
pub fn spike_times_at(preset: &Preset, current: f64, duration_ms: f64) -> Result<Vec<f64>, String> {
    spike_times_with(preset, Stimulus::dc(current), duration_ms).map_err(|e| format!("at I = {current}: {e}"))
}

/// Spike times of `preset` driven by `stimulus` instead of its own, from rest for `duration_ms`.
pub fn spike_times_with(preset: &Preset, stimulus: Stimulus, duration_ms: f64) -> Result<Vec<f64>, String> {
    let mut p = preset.clone();
    p.stimulus = stimulus;
    let mut sim = Simulation::from_preset(&p, p.run.seed)?;
    let steps = (duration_ms / p.run.dt_ms).round() as u64;
    let mut spikes: Vec<Spike> = Vec::new();
    sim.step(steps, &mut spikes).map_err(|f| f.to_string())?;
    Ok(spikes.iter().map(|s| s.t_ms).collect())
}

/// One point of the f-I curve.
pub fn fi_point(preset: &Preset, current: f64, duration_ms: f64) -> Result<FiPoint, String> {
    let times = spike_times_at(preset, current, duration_ms)?;
    let n = times.len();
    Ok(FiPoint {
        current,
        rate_hz: 1000.0 * n as f64 / duration_ms,
        steady_rate_hz: steady_rate_hz(&times),
        first_spike_ms: times.first().copied(),
        first_isi_ms: (n >= 2).then(|| times[1] - times[0]),
        last_isi_ms: (n >= 2).then(|| times[n - 1] - times[n - 2]),
    })
}

/// Runs `preset` for `duration_ms` at each current.
pub fn fi_curve(preset: &Preset, currents: &[f64], duration_ms: f64) -> Result<Vec<FiPoint>, String> {
    currents.iter().map(|&current| fi_point(preset, current, duration_ms)).collect()
}

/// The smallest DC in `[lo, hi]` that makes the neuron fire at least `min_spikes` within
/// `duration_ms`, found by bisection to within `tolerance` (the answer is the upper end of the
/// final bracket, so it fires). `None` if even `hi` does not; `lo` if `lo` already does.
pub fn rheobase(
    preset: &Preset,
    (lo, hi): (f64, f64),
    duration_ms: f64,
    min_spikes: usize,
    tolerance: f64,
) -> Result<Option<f64>, String> {
    let fires = |i: f64| spike_times_at(preset, i, duration_ms).map(|t| t.len() >= min_spikes);
    if fires(lo)? {
        return Ok(Some(lo));
    }
    if !fires(hi)? {
        return Ok(None);
    }
    super::bisect((lo, hi), tolerance, fires).map(Some)
}
