//! `spikelab bench`: timed workloads that print one JSON result line (format of
//! `shared/bench/SPEC.md`), so figures in BENCHMARKS.md can be rerun by anyone.

use std::time::Instant;

use super::{Observer, Simulation};
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

/// Process CPU time in seconds (all threads).
pub fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

pub fn run(workload: &str, bio_s: f64, seed: u64, threads: usize) -> Result<(), String> {
    let preset = single_neuron(workload)
        .ok_or_else(|| format!("unknown workload `{workload}`; available: {}", WORKLOADS.join(", ")))?;
    if threads != 1 {
        return Err("single-neuron workloads run on one thread: use --threads 1".into());
    }
    let build_start = Instant::now();
    let mut sim = Simulation::from_preset(&preset, seed)?;
    let build_s = build_start.elapsed().as_secs_f64();
    let steps = (bio_s * 1000.0 / preset.run.dt_ms).round() as u64;
    let mut count = Count(0);
    let (wall0, cpu0) = (Instant::now(), cpu_seconds());
    sim.step(steps, &mut count).map_err(|f| f.to_string())?;
    let (wall_s, cpu_s) = (wall0.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    let line = serde_json::json!({
        "sim": format!("spikelab-{}-t1", env!("CARGO_PKG_VERSION")),
        "workload": workload,
        "n_neurons": 1,
        "n_synapses": 0,
        "bio_seconds": bio_s,
        "wall_seconds_build": build_s,
        "wall_seconds_run": wall_s,
        "spikes": count.0,
        "mean_rate_hz": count.0 as f64 / bio_s,
        "cpu_seconds_run": cpu_s,
        "bio_seconds_per_wall_second": bio_s / wall_s,
        "integrator": preset.run.integrator.name(),
        "dt_ms": preset.run.dt_ms,
    });
    println!("{line}");
    Ok(())
}
