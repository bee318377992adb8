//! `spikelab bench --workload ID --bio SECONDS --seed N --threads K`: loads the bundled preset
//! `bench/ID` (the workloads of `shared/bench/SPEC.md`, and single-neuron throughput cases),
//! steps it through the engine every other face uses, and prints the one JSON result line the
//! peer harness reads; everything else goes to stderr. A workload is a preset like any other:
//! `spikelab run bench/ID` with the same seed and duration gives the same spikes.

use std::time::Instant;

use crate::engine::{Simulation, SpikeCounts};
use crate::preset::Preset;

/// The workloads: every bundled preset under `bench/`.
pub fn workloads() -> impl Iterator<Item = &'static str> {
    crate::library::names().filter_map(|name| name.strip_prefix("bench/"))
}

/// What a workload reports.
pub struct Outcome {
    /// Model neurons (spike sources not counted, as SPEC asks).
    pub n_neurons: usize,
    pub n_synapses: usize,
    pub build_s: f64,
    pub wall_s: f64,
    pub cpu_s: f64,
    /// Spikes of the model neurons.
    pub spikes: u64,
    /// Workload-specific keys added to the result line.
    pub extra: serde_json::Value,
}

/// Process CPU time in seconds (all threads).
pub fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Runs workload `id` (the preset `bench/ID`) for `bio_s` simulated seconds on `threads` threads.
pub fn workload(id: &str, bio_s: f64, seed: u64, threads: usize) -> Result<Outcome, String> {
    let Some(loaded) = crate::library::bundled(&format!("bench/{id}")) else {
        let known: Vec<&str> = workloads().collect();
        return Err(format!("unknown workload `{id}`; available: {}", known.join(", ")));
    };
    let mut preset: Preset = loaded.map_err(|e| e.to_string())?;
    preset.run.threads = threads as u32;
    let build = Instant::now();
    let mut sim = Simulation::from_preset(&preset, seed)?;
    let build_s = build.elapsed().as_secs_f64();
    let is_source: Vec<bool> = (0..sim.n_neurons()).map(|g| sim.net().is_source(g)).collect();
    let n_neurons = is_source.iter().filter(|s| !**s).count();
    let steps = (bio_s * 1000.0 / preset.run.dt_ms).round() as u64;
    let mut counts = SpikeCounts::new(sim.n_neurons());
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    sim.step(steps, &mut counts).map_err(|f| f.to_string())?;
    let (wall_s, cpu_s) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    // Model neurons' spikes and the spike sources' apart.
    let (mut neuron_spikes, mut source_spikes) = (0u64, 0u64);
    for (&count, &source) in counts.0.iter().zip(&is_source) {
        *if source { &mut source_spikes } else { &mut neuron_spikes } += count as u64;
    }
    let mut extra = serde_json::json!({
        "bytes_per_synapse": sim.net().synapse_bytes() as f64 / sim.net().n_synapses().max(1) as f64,
        "integrator": preset.run.integrator.name(),
        "dt_ms": preset.run.dt_ms,
    });
    if sim.net().n_plastic() > 0 {
        let mut w = Vec::new();
        sim.net().plastic_weights(&mut w);
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        let above = w.iter().filter(|&&x| x > 0.5).count() as f64 / w.len() as f64;
        extra["input_spikes"] = source_spikes.into();
        extra["mean_w_over_wmax"] = mean.into();
        extra["frac_w_above_half"] = above.into();
    }
    Ok(Outcome { n_neurons, n_synapses: sim.net().n_synapses(), build_s, wall_s, cpu_s, spikes: neuron_spikes, extra })
}

/// Runs `workload` and prints its result line.
pub fn run(workload: &str, bio_s: f64, seed: u64, threads: usize) -> Result<(), String> {
    if !(bio_s > 0.0 && bio_s.is_finite()) {
        return Err(format!("--bio must be a positive number of seconds, got {bio_s}"));
    }
    if threads == 0 {
        return Err("--threads must be at least 1".into());
    }
    let outcome = self::workload(workload, bio_s, seed, threads)?;
    let mut line = serde_json::json!({
        "sim": format!("spikelab-{}-t{threads}", env!("CARGO_PKG_VERSION")),
        "workload": workload,
        "n_neurons": outcome.n_neurons,
        "n_synapses": outcome.n_synapses,
        "bio_seconds": bio_s,
        "wall_seconds_build": outcome.build_s,
        "wall_seconds_run": outcome.wall_s,
        "spikes": outcome.spikes,
        "mean_rate_hz": outcome.spikes as f64 / (outcome.n_neurons as f64 * bio_s),
        "cpu_seconds_run": outcome.cpu_s,
    });
    if let (Some(line), Some(extra)) = (line.as_object_mut(), outcome.extra.as_object()) {
        line.extend(extra.clone());
    }
    println!("{line}");
    Ok(())
}
