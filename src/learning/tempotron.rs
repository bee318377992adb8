//! EE746 STDP-A (SCIENCE.md 6.6; Gütig and Sompolinsky 2006's tempotron task): make the bench
//! neuron fire for some input spike patterns and stay silent for others.
//!
//! A pattern is one frozen Poisson spike train per input synapse. Synapse `k` injects
//! `I0 w_k K(t - t_spike)` with the course kernel `K(t) = exp(-t/tau) - exp(-t/tau_s)`,
//! `tau_s = tau/4`. After each presentation (a trial) a pattern that got the wrong answer changes
//! the weights:
//! - it should fire and did not: `Δw_k = +γ w_k K(t_max - t_k)`, with `t_max` the time of the
//!   trial's highest V;
//! - it should be silent and fired: `Δw_k = -γ w_k Σ_out K(t_out - t_k)` over its output spikes;
//!
//! where `t_k` is synapse `k`'s nearest input spike before the target time (none: no change).
//! Weights stay in `[w_min, w_max]`. An iteration presents every pattern with the same weights,
//! then applies the summed changes, so each iteration's traces are exactly what its weights
//! produce. The run stops when every pattern is answered right, or after `max_iterations`
//! updates.

use crate::engine::{Observer, Simulation};
use crate::network::Spike;
use crate::preset::Preset;
use crate::preset::learning::Task;
use crate::random::{Rng, stream};
use crate::stimulus::{Component, SpikeSource, Stimulus};
use crate::synapse::Kernel;

/// One presentation of a pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// V after each step: `v[k]` at `(k + 1) dt`.
    pub v: Vec<f64>,
    /// Output spike times, ms.
    pub spikes: Vec<f64>,
    pub correct: bool,
    /// The times the rule measured Δt to (empty when the answer was right).
    pub targets: Vec<f64>,
}

/// The weights at the start of an iteration and each pattern's trial with them.
#[derive(Debug, Clone, PartialEq)]
pub struct Iteration {
    pub weights: Vec<f64>,
    pub trials: Vec<Trial>,
}

impl Iteration {
    pub fn all_correct(&self) -> bool {
        self.trials.iter().all(|t| t.correct)
    }
}

/// A pattern's spike times: for each synapse, its sorted times in ms (on the dt grid).
pub type SpikeTrains = Vec<Vec<f64>>;

impl Task {
    /// The kernel of the synapses and of the learning window.
    pub fn kernel(&self) -> Kernel {
        Kernel::DoubleExponential { tau_ms: self.tau_ms }
    }

    /// The spike trains of every pattern, reproducible for the run's seed.
    pub fn patterns(&self, run_seed: u64, dt_ms: f64) -> Vec<SpikeTrains> {
        self.patterns
            .iter()
            .map(|p| {
                let mut rng = stream(run_seed, p.seed);
                (0..self.synapses).map(|_| poisson_train(&mut rng, self.rate_hz, self.duration_ms, dt_ms)).collect()
            })
            .collect()
    }

    /// The initial weights for the run's seed.
    pub fn initial_weights(&self, run_seed: u64) -> Vec<f64> {
        let mut rng = stream(run_seed, u64::MAX);
        (0..self.synapses).map(|_| self.weights.draw(&mut rng).clamp(self.w_min, self.w_max)).collect()
    }

    /// Presents one pattern to the bench's neuron (its model, dt and integrator) with `weights`.
    pub fn trial(&self, bench: &Preset, trains: &SpikeTrains, weights: &[f64], fire: bool) -> Result<Trial, String> {
        let components = trains
            .iter()
            .zip(weights)
            .filter(|(times, _)| !times.is_empty())
            .map(|(times, &w)| Component::Spikes {
                source: SpikeSource::Times { times_ms: times.clone() },
                kernel: self.kernel(),
                weight: self.i0 * w,
                seed: 0,
            })
            .collect();
        let mut preset = bench.clone();
        preset.network = None;
        preset.learning = None;
        preset.stimulus = Stimulus::of(components);
        preset.run.record_every = 1;
        let mut sim = Simulation::from_preset(&preset, preset.run.seed)?;
        let mut record = Record::default();
        let steps = (self.duration_ms / preset.run.dt_ms).round() as u64;
        sim.step(steps, &mut record).map_err(|fault| format!("the trial stopped: {fault}"))?;
        let targets = match (fire, record.spikes.is_empty()) {
            (true, true) => {
                let (k, _) =
                    record.v.iter().enumerate().fold((0, f64::MIN), |m, (k, &v)| if v > m.1 { (k, v) } else { m });
                vec![record.t[k]]
            }
            (false, false) => record.spikes.clone(),
            _ => Vec::new(),
        };
        Ok(Trial { correct: targets.is_empty(), v: record.v, spikes: record.spikes, targets })
    }

    /// The weight changes a trial asks for (all zero when its answer was right).
    pub fn update(&self, trains: &SpikeTrains, weights: &[f64], trial: &Trial, fire: bool) -> Vec<f64> {
        let sign = if fire { 1.0 } else { -1.0 };
        let kernel = self.kernel();
        trains
            .iter()
            .zip(weights)
            .map(|(times, &w)| {
                let window: f64 =
                    trial.targets.iter().filter_map(|&t| nearest_before(times, t).map(|tk| kernel.at(t - tk))).sum();
                sign * self.gamma * w * window
            })
            .collect()
    }

    /// Runs the task on the bench preset. `progress` sees each iteration as it completes and
    /// returns `false` to stop early.
    pub fn run(&self, bench: &Preset, mut progress: impl FnMut(&Iteration) -> bool) -> Result<Outcome, String> {
        let (seed, dt) = (bench.run.seed, bench.run.dt_ms);
        let patterns = self.patterns(seed, dt);
        let mut weights = self.initial_weights(seed);
        let mut iterations = Vec::new();
        for k in 0..=self.max_iterations {
            let trials = patterns
                .iter()
                .zip(&self.patterns)
                .map(|(trains, p)| self.trial(bench, trains, &weights, p.fire))
                .collect::<Result<Vec<_>, _>>()?;
            let iteration = Iteration { weights: weights.clone(), trials };
            let keep_going = progress(&iteration);
            let done = iteration.all_correct() || k == self.max_iterations;
            if !done {
                for ((trains, p), trial) in patterns.iter().zip(&self.patterns).zip(&iteration.trials) {
                    let delta = self.update(trains, &iteration.weights, trial, p.fire);
                    for (w, d) in weights.iter_mut().zip(delta) {
                        *w += d;
                    }
                }
                for w in &mut weights {
                    *w = w.clamp(self.w_min, self.w_max);
                }
            }
            iterations.push(iteration);
            if done || !keep_going {
                break;
            }
        }
        Ok(Outcome { patterns, iterations })
    }
}

/// Everything a run produced: the patterns and every iteration (the last has the final weights).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub patterns: Vec<SpikeTrains>,
    pub iterations: Vec<Iteration>,
}

impl Outcome {
    pub fn converged(&self) -> bool {
        self.iterations.last().is_some_and(Iteration::all_correct)
    }
    /// Weight updates made (iterations after the first).
    pub fn updates(&self) -> usize {
        self.iterations.len().saturating_sub(1)
    }
}

/// The latest time in sorted `times` before `t`.
fn nearest_before(times: &[f64], t: f64) -> Option<f64> {
    let k = times.partition_point(|&s| s < t);
    k.checked_sub(1).map(|k| times[k])
}

/// A homogeneous Poisson train on `[0, duration)`, times rounded to the dt grid.
fn poisson_train(rng: &mut Rng, rate_hz: f64, duration_ms: f64, dt_ms: f64) -> Vec<f64> {
    crate::stimulus::poisson_train(rng, rate_hz, |t| Some((t / dt_ms).round() * dt_ms).filter(|&t| t < duration_ms))
}

/// V and spikes of one trial.
#[derive(Default)]
struct Record {
    t: Vec<f64>,
    v: Vec<f64>,
    spikes: Vec<f64>,
}

impl Observer for Record {
    fn spike(&mut self, spike: Spike) {
        self.spikes.push(spike.t_ms);
    }
    fn sample(&mut self, t_ms: f64, values: &[f64]) {
        self.t.push(t_ms);
        self.v.push(values[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_before_is_the_latest_earlier_spike() {
        let times = [1.0, 5.0, 9.0];
        assert_eq!(nearest_before(&times, 0.5), None);
        assert_eq!(nearest_before(&times, 5.0), Some(1.0));
        assert_eq!(nearest_before(&times, 7.0), Some(5.0));
        assert_eq!(nearest_before(&times, 100.0), Some(9.0));
    }
}
