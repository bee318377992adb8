//! `spikelab bench --workload ID --bio SECONDS --seed N --threads K`: runs one workload of
//! `shared/bench/SPEC.md` (or a single-neuron workload) and prints the one JSON result line the
//! peer harness reads; everything else goes to stderr.
//!
//! The network workloads are dedicated kernels that follow the specification's step schedule
//! exactly: struct-of-arrays state, compressed-row connectivity with `u32` targets and the
//! weight of each presynaptic population stored once, event-driven delivery.

mod brunel;
mod izhnet;
mod single;
mod stdp;
mod traub_hh;
mod vogels_abbott;

use std::time::Instant;

pub use single::WORKLOADS as SINGLE_NEURON_WORKLOADS;

/// The network workloads of `shared/bench/SPEC.md` this build runs.
pub const NETWORK_WORKLOADS: [&str; 8] =
    ["cuba", "coba", "izhnet_n1000", "izhnet_n10000", "hh", "brunel", "stdp_single", "stdp_net"];

/// Runs a workload by id; `None` if there is no such workload.
pub fn workload(id: &str, bio_s: f64, seed: u64) -> Option<Result<Outcome, String>> {
    let network = match id {
        "cuba" => vogels_abbott::run(vogels_abbott::Kind::Cuba, bio_s, seed),
        "coba" => vogels_abbott::run(vogels_abbott::Kind::Coba, bio_s, seed),
        "izhnet_n1000" => izhnet::run(1000, bio_s, seed),
        "izhnet_n10000" => izhnet::run(10_000, bio_s, seed),
        "hh" => traub_hh::run(bio_s),
        "brunel" => brunel::run(bio_s, seed),
        "stdp_single" => stdp::run(1000, 1, None, 0.01, bio_s, seed),
        "stdp_net" => stdp::run(10_000, 10_000, Some(100), 0.1, bio_s, seed),
        _ => return single::run(id, bio_s, seed),
    };
    Some(Ok(network))
}

/// What a workload reports.
pub struct Outcome {
    pub n_neurons: usize,
    pub n_synapses: usize,
    pub build_s: f64,
    pub wall_s: f64,
    pub cpu_s: f64,
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

/// Wall and CPU time of the run loop.
pub struct Timer {
    wall: Instant,
    cpu: f64,
}

impl Timer {
    pub fn start() -> Self {
        Self { wall: Instant::now(), cpu: cpu_seconds() }
    }
    /// `(wall seconds, CPU seconds)` since start.
    pub fn stop(self) -> (f64, f64) {
        (self.wall.elapsed().as_secs_f64(), cpu_seconds() - self.cpu)
    }
}

/// Runs `workload` and prints its result line.
pub fn run(workload: &str, bio_s: f64, seed: u64, threads: usize) -> Result<(), String> {
    if threads != 1 {
        return Err("the workloads run on one thread (the headline comparison): use --threads 1".into());
    }
    if !(bio_s > 0.0 && bio_s.is_finite()) {
        return Err(format!("--bio must be a positive number of seconds, got {bio_s}"));
    }
    let outcome = self::workload(workload, bio_s, seed).unwrap_or_else(|| {
        let known: Vec<&str> = NETWORK_WORKLOADS.iter().chain(&SINGLE_NEURON_WORKLOADS).copied().collect();
        Err(format!("unknown workload `{workload}`; available: {}", known.join(", ")))
    })?;
    let mut line = serde_json::json!({
        "sim": format!("spikelab-{}-t1", env!("CARGO_PKG_VERSION")),
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
