//! Single-neuron throughput: one neuron driven to fire tonically, through the general
//! `Simulation` path the bench and the CLI use.

use super::Outcome;
use crate::engine::{Observer, Simulation};
use crate::integrate::Integrator;
use crate::network::Spike;
use crate::neuron::{AdEx, HodgkinHuxley, Izhikevich, Lif, NeuronModel};
use crate::preset::Preset;
use crate::stimulus::Stimulus;

/// Single-neuron workloads: model, integrator, DC current and dt; each fires tonically.
fn single_neuron(id: &str) -> Option<Preset> {
    let hh = NeuronModel::HodgkinHuxley(HodgkinHuxley::default());
    let (model, integrator, current, dt_ms) = match id {
        "neuron_lif_euler" => (NeuronModel::Lif(Lif::default()), Integrator::Euler, 300.0, 0.1),
        "neuron_lif_rk4" => (NeuronModel::Lif(Lif::default()), Integrator::Rk4, 300.0, 0.1),
        "neuron_izh_euler" => (NeuronModel::Izhikevich(Izhikevich::default()), Integrator::Euler, 10.0, 0.1),
        "neuron_izh_rk4" => (NeuronModel::Izhikevich(Izhikevich::default()), Integrator::Rk4, 10.0, 0.1),
        "neuron_adex_rk4" => (NeuronModel::AdEx(AdEx::default()), Integrator::Rk4, 1000.0, 0.1),
        "neuron_hh_euler" => (hh, Integrator::Euler, 10.0, 0.01),
        "neuron_hh_rk4" => (hh, Integrator::Rk4, 10.0, 0.01),
        "neuron_hh_expeuler" => (hh, Integrator::ExponentialEuler, 10.0, 0.01),
        _ => return None,
    };
    let mut preset = Preset::with_model(id, model);
    preset.stimulus = Stimulus::dc(current);
    preset.run.integrator = integrator;
    preset.run.dt_ms = dt_ms;
    Some(preset)
}

pub const WORKLOADS: [&str; 8] = [
    "neuron_lif_euler",
    "neuron_lif_rk4",
    "neuron_izh_euler",
    "neuron_izh_rk4",
    "neuron_adex_rk4",
    "neuron_hh_euler",
    "neuron_hh_rk4",
    "neuron_hh_expeuler",
];

struct Count(u64);
impl Observer for Count {
    fn spike(&mut self, _: Spike) {
        self.0 += 1;
    }
    fn sample(&mut self, _: f64, _: &[f64]) {}
}

/// Runs a single-neuron workload; `None` if `workload` is not one.
pub fn run(workload: &str, bio_s: f64, seed: u64) -> Option<Result<Outcome, String>> {
    let preset = single_neuron(workload)?;
    Some((|| {
        let build = std::time::Instant::now();
        let mut sim = Simulation::from_preset(&preset, seed)?;
        let build_s = build.elapsed().as_secs_f64();
        let steps = (bio_s * 1000.0 / preset.run.dt_ms).round() as u64;
        let mut count = Count(0);
        let timer = super::Timer::start();
        sim.step(steps, &mut count).map_err(|f| f.to_string())?;
        let (wall_s, cpu_s) = timer.stop();
        Ok(Outcome {
            n_neurons: 1,
            n_synapses: 0,
            build_s,
            wall_s,
            cpu_s,
            spikes: count.0,
            extra: serde_json::json!({
                "bio_seconds_per_wall_second": bio_s / wall_s,
                "integrator": preset.run.integrator.name(),
                "dt_ms": preset.run.dt_ms,
            }),
        })
    })())
}
