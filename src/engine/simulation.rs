//! The pure simulation core: plain, synchronous and deterministic given its preset and seed.
//!
//! # Step schedule
//! Each call of [`Simulation::step`] advances the time grid `t_n = n dt` by one step, in this order:
//! 1. **inputs summed**: each synapse type takes the weights arriving in step `n` from its delay
//!    ring and advances its kernel, giving a current, a conductance (re-evaluated at every
//!    integrator stage's V) or, for a delta synapse, a charge delivered at the step's start;
//!    the stimulus currents of step `n` are added (held over the step);
//! 2. **integrate** every neuron from `t_n` to `t_n + dt` with the chosen integrator (the exact
//!    scheme: V's closed form, a delta charge as a jump of `q / C` first);
//! 3. **threshold, reset, refractory**: with interpolated spike times, a neuron whose `v`
//!    reaches threshold inside the step emits a spike at the crossing located to the
//!    integrator's accuracy, its state is reset as it was at the crossing, and integration
//!    continues for the rest of the step once its refractory clock (which may end mid-step)
//!    allows. On the step grid (`run.spike_timing: Grid`, and the schemes of published scripts)
//!    the threshold is tested at the step's end, the spike carries that time, and the neuron is
//!    clamped (its input lost) for `round(t_ref / dt)` whole steps;
//! 4. **spikes into delay queues**: a spike of step `n` adds its weights to the ring slot of step
//!    `n + D`, `D = max(1, round(delay / dt))` (see [`crate::network::spec`]); the spikes of the
//!    step go to the observer in time order;
//! 5. **plasticity**: each spike of the step potentiates the plastic synapses into its neuron
//!    (depression happens in 1, when a presynaptic spike arrives; see
//!    [`crate::synapse::plasticity`] for the timing conventions);
//! 6. **recording**: every `record_every` steps the recorded variables go to the [`Observer`];
//! 7. **fault check**: a variable outside its model's physical envelope
//!    ([`crate::param::VarSpec::envelope`]), or not a number, stops the step with a [`Fault`]
//!    naming neuron, variable, value and time; time does not advance.

use crate::integrate::{Integrator, SpikeTiming};
use crate::network::{Fault, Net, Spike, Stepping};
use crate::neuron::NeuronModel;
use crate::preset::{Preset, Valid};
use crate::stimulus::Stimulus;

/// Receives what a simulation produces; the CLI writes it to CSV, the engine thread to frames.
pub trait Observer {
    fn spike(&mut self, spike: Spike);
    /// Recorded values at `t_ms`, in the order of [`Simulation::columns`].
    fn sample(&mut self, t_ms: f64, values: &[f64]);
    /// The current injected during the step that ended at `t_ms` (with every sample).
    fn input(&mut self, _t_ms: f64, _current: f64) {}
    /// Every plastic weight as a fraction of its `w_max` (with every sample, if any learn).
    fn weights(&mut self, _t_ms: f64, _weights: &[f64]) {}
    /// Whether [`Observer::weights`] is wanted: copying a million weights is not free.
    fn wants_weights(&self) -> bool {
        true
    }
}

/// Each neuron's spike count (global index); wants no samples and no weights. What a benchmark
/// or a learning task needs of a run.
#[derive(Debug, Clone, Default)]
pub struct SpikeCounts(pub Vec<u32>);

impl SpikeCounts {
    pub fn new(n_neurons: usize) -> Self {
        Self(vec![0; n_neurons])
    }
}

impl Observer for SpikeCounts {
    fn spike(&mut self, spike: Spike) {
        self.0[spike.neuron as usize] += 1;
    }
    fn sample(&mut self, _: f64, _: &[f64]) {}
    fn wants_weights(&self) -> bool {
        false
    }
}

/// An observer that keeps nothing (benchmarks).
/// Collects the spikes, nothing else (the analyses that need only them).
impl Observer for Vec<Spike> {
    fn spike(&mut self, spike: Spike) {
        self.push(spike);
    }
    fn sample(&mut self, _: f64, _: &[f64]) {}
    fn wants_weights(&self) -> bool {
        false
    }
}

impl Observer for () {
    fn spike(&mut self, _: Spike) {}
    fn sample(&mut self, _: f64, _: &[f64]) {}
    fn wants_weights(&self) -> bool {
        false
    }
}

#[derive(Debug, Clone)]
pub struct Simulation {
    net: Net,
    /// A network preset (else the bench's single neuron).
    is_network: bool,
    /// Recorded neurons (global indices).
    record: Vec<usize>,
    /// The bench's stimulus (single neuron).
    stimulus: Stimulus,
    integrator: Integrator,
    timing: SpikeTiming,
    dt_ms: f64,
    /// Time of step 0 of the current grid (moves when dt changes mid-run).
    origin_ms: f64,
    /// Steps taken on the current grid.
    steps: u64,
    /// Stimulus step index of grid step 0 (`round(origin / dt)`).
    stimulus_offset: u64,
    record_every: u32,
    seed: u64,
    /// Threads each step is shared out over (the same results for any number).
    threads: usize,
    /// Spikes of the step being taken (reused: no allocation per step).
    step_spikes: Vec<Spike>,
    sample_buf: Vec<f64>,
}

impl Simulation {
    /// Builds a simulation of a validated preset. The seed makes every random draw reproducible.
    pub fn from_preset(preset: &Preset, seed: u64) -> Result<Self, String> {
        preset.validate().map_err(|inv| inv.to_string())?;
        Self::build(preset, seed)
    }

    /// Builds a simulation of a preset validated before.
    pub fn new(preset: &Valid, seed: u64) -> Result<Self, String> {
        Self::build(preset, seed)
    }

    fn build(preset: &Preset, seed: u64) -> Result<Self, String> {
        let run = preset.run;
        let (mut net, record): (Net, Vec<usize>) = match &preset.network {
            Some(spec) => (Net::build(spec, run.dt_ms, seed)?, spec.record.iter().map(|&r| r as usize).collect()),
            None => {
                let mut net = Net::single(preset.neuron, &preset.stimulus, run.dt_ms, seed);
                for (j, var) in preset.neuron.vars().iter().enumerate() {
                    if let Some(&value) = preset.initial.get(var.key) {
                        net.population_mut(0).set_var(j, 0, value);
                    }
                }
                (net, vec![0])
            }
        };
        net.watch(record.first().copied());
        Ok(Self {
            net,
            is_network: preset.network.is_some(),
            record,
            stimulus: preset.stimulus.clone(),
            integrator: run.integrator,
            timing: run.spike_timing,
            dt_ms: run.dt_ms,
            origin_ms: 0.0,
            steps: 0,
            stimulus_offset: 0,
            record_every: run.record_every,
            seed,
            threads: run.threads.max(1) as usize,
            step_spikes: Vec::new(),
            sample_buf: Vec::new(),
        })
    }

    pub fn t_ms(&self) -> f64 {
        self.origin_ms + self.steps as f64 * self.dt_ms
    }
    /// Steps on `threads` threads from now on (at least one): the same results.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }
    pub fn dt_ms(&self) -> f64 {
        self.dt_ms
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn integrator(&self) -> Integrator {
        self.integrator
    }
    /// The first recorded neuron (global index): the one the traces show.
    pub fn traced(&self) -> usize {
        self.record.first().copied().unwrap_or(0)
    }
    /// The parameters of the first recorded neuron (the bench views show it).
    pub fn model(&self) -> NeuronModel {
        let (p, i) = self.net.locate(self.traced());
        self.net.population(p).model_of(i)
    }
    pub fn is_network(&self) -> bool {
        self.is_network
    }
    pub fn net(&self) -> &Net {
        &self.net
    }
    /// Records neuron `g` (global index) from now on instead of the current selection (a spike
    /// source has nothing to record and is ignored).
    pub fn set_record(&mut self, g: usize) {
        if g < self.n_neurons() && !self.net.is_source(g) {
            self.record = vec![g];
            self.net.watch(Some(g));
        }
    }
    pub fn stimulus(&self) -> &Stimulus {
        &self.stimulus
    }
    /// The current injected during the last step, in the model's current unit.
    pub fn last_current(&self) -> f64 {
        self.record.first().map_or(0.0, |&g| self.net.input_of(g))
    }
    pub fn n_neurons(&self) -> usize {
        self.net.n_neurons()
    }

    /// Names of the recorded columns: `<neuron>.<var>` (e.g. `0.v`, `0.u`).
    pub fn columns(&self) -> Vec<String> {
        self.record
            .iter()
            .flat_map(|&g| {
                let (p, _) = self.net.locate(g);
                self.net.population(p).model().vars().iter().map(move |v| format!("{g}.{}", v.key))
            })
            .collect()
    }

    /// Whether a run of `from` can become a run of `to` and keep its state: new parameters of
    /// the same model, another stimulus, integrator or spike timing, a single neuron's dt, the
    /// protocol's length, the view's settings, a network's live changes
    /// ([`crate::network::NetworkSpec::live_change`]), and what the run does not read (the name,
    /// the description, a learning task's or a sweep's settings). Anything else starts a new
    /// run. The one place that decides it, for the window and the engine alike.
    pub fn live(from: &Preset, to: &Preset) -> bool {
        // `to` with every live part taken from `from`: what remains must be equal.
        let mut rest = to.clone();
        rest.name = from.name.clone();
        rest.description = from.description.clone();
        rest.learning = from.learning.clone();
        rest.sweep = from.sweep.clone();
        rest.run.duration_ms = from.run.duration_ms;
        if to.neuron.kind() == from.neuron.kind() {
            rest.neuron = from.neuron;
        }
        rest.stimulus = from.stimulus.clone();
        rest.run.integrator = from.run.integrator;
        rest.run.spike_timing = from.run.spike_timing;
        if from.network.is_none() {
            rest.run.dt_ms = from.run.dt_ms;
        }
        rest.view = from.view;
        if let (Some(a), Some(b)) = (&from.network, &to.network)
            && a.live_change(b)
        {
            rest.network = from.network.clone();
        }
        rest == *from
    }

    /// Moves this run of `from` to `to`, keeping its state, where [`Simulation::live`] allows.
    /// A network's change is made first: when it is refused, nothing has changed.
    pub fn edit(&mut self, from: &Preset, to: &Valid) -> Result<(), String> {
        debug_assert!(Self::live(from, to));
        if let (Some(old), Some(new)) = (&from.network, &to.network)
            && old != new
        {
            self.net.apply_live(old, new, self.dt_ms, self.seed)?;
        }
        if to.neuron != from.neuron && !self.is_network {
            self.net.population_mut(0).set_model(to.neuron);
        }
        if to.stimulus != from.stimulus {
            self.set_stimulus(to.stimulus.clone());
        }
        self.integrator = to.run.integrator;
        self.timing = to.run.spike_timing;
        if to.run.dt_ms != self.dt_ms {
            self.set_dt(to.run.dt_ms);
        }
        Ok(())
    }

    /// A new stimulus for the single neuron from now on (its random streams restart).
    fn set_stimulus(&mut self, stimulus: Stimulus) {
        if !self.is_network {
            self.net.set_single_stimulus(&stimulus, self.dt_ms, self.seed);
        }
        self.stimulus = stimulus;
    }
    /// Plays `trains` (per neuron, ms from now) into spike-source population `p` (a learning
    /// task's images).
    pub fn play(&mut self, p: usize, trains: &[Vec<f64>]) {
        self.net.play(p, trains, self.dt_ms);
    }
    /// Every neuron and synapse back to rest; what was learned stays ([`Net::rest`]).
    pub fn rest(&mut self) {
        self.net.rest();
    }
    /// Learning on or off ([`Net::set_learning`]).
    pub fn set_learning(&mut self, on: bool) {
        self.net.set_learning(on);
    }
    /// Changes dt from now on; the time reached so far is kept.
    fn set_dt(&mut self, dt_ms: f64) {
        self.origin_ms = self.t_ms();
        self.steps = 0;
        self.dt_ms = dt_ms;
        self.stimulus_offset = (self.origin_ms / dt_ms).round() as u64;
        self.net.set_single_stimulus(&self.stimulus, dt_ms, self.seed);
    }

    /// Sends the current values of the recorded variables to `observer`.
    pub fn sample(&mut self, observer: &mut impl Observer) {
        self.sample_buf.clear();
        for &g in &self.record {
            let (p, i) = self.net.locate(g);
            let population = self.net.population(p);
            self.sample_buf.extend((0..population.model().vars().len()).map(|j| population.var(j, i)));
        }
        observer.sample(self.t_ms(), &self.sample_buf);
        observer.input(self.t_ms(), self.last_current());
        if self.net.n_plastic() > 0 && observer.wants_weights() {
            self.sample_buf.clear();
            self.net.plastic_weights(&mut self.sample_buf);
            observer.weights(self.t_ms(), &self.sample_buf);
        }
    }

    /// Advances `n` steps (schedule in the module doc). On a fault the failing step is not counted.
    pub fn step(&mut self, n: u64, observer: &mut impl Observer) -> Result<(), Fault> {
        for _ in 0..n {
            let t = self.t_ms();
            self.step_spikes.clear();
            let stimulus_step = self.stimulus_offset + self.steps;
            let run =
                Stepping { dt_ms: self.dt_ms, integrator: self.integrator, timing: self.timing, threads: self.threads };
            self.net.step(t, stimulus_step, &run, &mut self.step_spikes)?;
            self.steps += 1;
            for &spike in &self.step_spikes {
                observer.spike(spike);
            }
            if self.steps.is_multiple_of(self.record_every as u64) {
                self.sample(observer);
            }
        }
        Ok(())
    }
}
