//! Helpers shared by the integration tests.
#![allow(dead_code)]

use spikelab::engine::{Observer, Simulation};
use spikelab::network::Spike;
use spikelab::preset::Preset;

/// Keeps everything a simulation produces.
#[derive(Default)]
pub struct Recorder {
    pub spikes: Vec<Spike>,
    pub samples: Vec<(f64, Vec<f64>)>,
}

impl Observer for Recorder {
    fn spike(&mut self, spike: Spike) {
        self.spikes.push(spike);
    }
    fn sample(&mut self, t_ms: f64, values: &[f64]) {
        self.samples.push((t_ms, values.to_vec()));
    }
}

impl Recorder {
    pub fn spike_times(&self) -> Vec<f64> {
        self.spikes.iter().map(|s| s.t_ms).collect()
    }
}

/// Runs a preset for its own duration and returns what it produced.
pub fn run(preset: &Preset) -> Recorder {
    let mut sim = Simulation::from_preset(preset, preset.run.seed).expect("valid preset");
    let mut rec = Recorder::default();
    sim.sample(&mut rec);
    let steps = (preset.run.duration_ms / preset.run.dt_ms).round() as u64;
    sim.step(steps, &mut rec).expect("no fault");
    rec
}

pub fn bundled(name: &str) -> Preset {
    spikelab::library::bundled(name).expect("bundled preset exists").expect("bundled preset is valid")
}

/// A valid preset that runs away: slider values inside their ranges, a < 0 lets Izhikevich's u
/// grow without bound and v fall with it, out of its envelope within 100 ms (at full speed).
pub fn run_away() -> Preset {
    let mut p = bundled("izhikevich-2003/rs");
    p.neuron.set("a", -0.1);
    p.neuron.set("b", 1.5);
    p.run.integrator = spikelab::integrate::Integrator::Euler;
    p.view.speed = spikelab::preset::settings::Speed::Max;
    p
}
