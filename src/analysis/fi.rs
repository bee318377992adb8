//! f-I curves: the same preset driven by a DC stimulus at each current.

use crate::engine::{Observer, Simulation};
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
}

#[derive(Default)]
struct SpikeTimes(Vec<f64>);

impl Observer for SpikeTimes {
    fn spike(&mut self, spike: Spike) {
        self.0.push(spike.t_ms);
    }
    fn sample(&mut self, _: f64, _: &[f64]) {}
}

/// Runs `preset` for `duration_ms` at each current (the preset's stimulus replaced by DC).
pub fn fi_curve(preset: &Preset, currents: &[f64], duration_ms: f64) -> Result<Vec<FiPoint>, String> {
    currents
        .iter()
        .map(|&current| {
            let mut p = preset.clone();
            p.stimulus = Stimulus::dc(current);
            let mut sim = Simulation::from_preset(&p, p.run.seed)?;
            let steps = (duration_ms / p.run.dt_ms).round() as u64;
            let mut times = SpikeTimes::default();
            sim.step(steps, &mut times).map_err(|f| format!("at I = {current}: {f}"))?;
            Ok(FiPoint {
                current,
                rate_hz: 1000.0 * times.0.len() as f64 / duration_ms,
                steady_rate_hz: steady_rate_hz(&times.0),
                first_spike_ms: times.0.first().copied(),
            })
        })
        .collect()
}
