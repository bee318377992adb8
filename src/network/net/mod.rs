//! A network at run time: populations as struct-of-arrays, synapse states per synapse type,
//! a delay ring buffer per synapse type, and projections as compressed rows.
//!
//! One step (the schedule written in the engine's simulation module): each synapse type takes this
//! step's arrivals out of its ring slot and advances its kernel; the stimuli add their
//! currents; every population integrates, thresholds and resets; each spike then adds its
//! weights into the ring slot `D` steps ahead (`D >= 1`, so nothing lands in the slot being read),
//! or, where the membrane's loop takes the synapse type and every `D` is 1, straight into its
//! traces.
//!
//! This file steps the network a population at a time; `shares.rs` steps it on a team with each
//! member on its own share of every population, `deliver.rs` adds spikes into the rings,
//! `build.rs` builds the network from its specification, `edit.rs` changes it while it runs,
//! and `plastic.rs` keeps a plastic projection's weights and traces.

mod build;
mod deliver;
mod edit;
mod plastic;
mod shares;

use rand::RngExt;

use super::connect::{Connections, connect};
use super::csr::{group_by_key, group_by_key_into};
use super::population::{Inputs, StepContext};
use super::spec::{Dist, NetworkSpec, Spread};
use super::{Fault, Population, Spike};
use crate::integrate::{Integrator, SpikeTiming};
use crate::neuron::{Linear, NeuronModel};
use crate::random::{Rng, seeded, stream};
use crate::stimulus::runner::{PoissonPool, deterministic_spikes};
use crate::stimulus::{Runner, SpikeSource, Stimulus};
use crate::synapse::plasticity::{Depression, StdpRule, TraceClock, Traces};
use crate::synapse::{HeldExponentials, Kernel, KernelPart, KernelStates, Propagator};
use crate::team::Team;
use deliver::Splits;
use plastic::Plastic;

/// One synapse type of a population: kernel states and the pending input per delay slot.
#[derive(Debug, Clone)]
struct Receptor {
    propagator: Propagator,
    reversal_mv: Option<f64>,
    states: KernelStates,
    /// Neurons of the population.
    n: usize,
    /// `ring[slot * n + j]`: weight arriving at neuron `j` in the step of that slot. In `f32`:
    /// a slot takes half the cache, which delivery (a scatter into it) is bound by; a step's
    /// few arrivals at a neuron sum to 1e-7 of their size, far below any model's precision.
    ring: Vec<f32>,
    slots: usize,
    /// The slot of the present step (`tick % slots`, kept so that a spike's delivery costs
    /// no division).
    now: usize,
    /// Every spike into it arrives in the step after the one it is fired in, through an
    /// exponential kernel, and no plastic projection writes into its ring (fixed when built).
    one_step: bool,
    /// Spikes are added straight into the first trace, not into the ring ([`Pop::arrive_direct`]).
    direct: bool,
}

/// The slot `delay < slots` steps after slot `now` of a ring.
#[inline(always)]
fn slot_after(now: usize, delay: u16, slots: usize) -> usize {
    let slot = now + delay as usize;
    if slot >= slots { slot - slots } else { slot }
}

/// A population of spike sources: its train, and the merged process of its neurons when the
/// train is random.
#[derive(Debug, Clone)]
struct Source {
    train: SpikeSource,
    pool: PoissonPool,
    /// The images a `Digits` train shows, in order.
    images: Option<std::sync::Arc<Vec<Vec<f32>>>>,
    /// Trains given at run time ([`Net::play`]); they replace `train` until the network rests.
    played: Played,
}

/// Spike trains played into a source population: the neurons that fire in each step counted
/// from step `from` of the network, `neurons[offsets[k]..offsets[k + 1]]` in step `k`.
#[derive(Debug, Clone, Default)]
struct Played {
    from: Option<u64>,
    offsets: Vec<u32>,
    neurons: Vec<u32>,
    /// The `(step, neuron)` events of the last play (kept to reuse its allocation).
    scratch: Vec<(u32, u32)>,
}

impl Played {
    /// The neurons that fire in network step `tick` (none when nothing plays).
    fn at(&self, tick: u64) -> &[u32] {
        match self.from.and_then(|from| tick.checked_sub(from)) {
            Some(k) if (k as usize) + 1 < self.offsets.len() => {
                &self.neurons[self.offsets[k as usize] as usize..self.offsets[k as usize + 1] as usize]
            }
            _ => &[],
        }
    }
}

#[derive(Debug, Clone)]
struct Pop {
    population: Population,
    /// A spike-source population (no dynamics).
    source: Option<Source>,
    offset: u32,
    /// Parameters set per neuron (kept when the base model is edited live).
    spread: Vec<String>,
    receptors: Vec<Receptor>,
    inputs: Inputs,
    /// The traced neuron, when it is one of this population's ([`Net::watch`]).
    watched: Option<usize>,
    /// Its synapses' current and conductance over the last step, when the membrane's loop took
    /// them (they are then in no input array).
    watched_held: Option<(f64, f64)>,
}

impl Pop {
    /// Sums this step's synaptic input ([`collect`]); synapses the membrane's own loop takes
    /// ([`Pop::held_synapses`]) are left to it.
    #[inline(always)]
    fn collect_synapses(&mut self, tick: u64, ctx: &StepContext) {
        self.start_step(tick, ctx);
        if self.held_synapses(ctx) {
            // The arrays keep what stimuli write only.
            if self.inputs.summed {
                self.inputs.clear_all();
            } else if self.inputs.stimulated {
                self.inputs.clear();
            }
            return;
        }
        let n = self.population.len();
        let membrane = self.population.model().linear();
        let mut lanes = lanes(&mut self.receptors, membrane, ctx);
        let inputs = &mut self.inputs;
        let fresh = collect(&mut lanes, inputs.parts_mut(0..n), ctx.dt_ms);
        inputs.clear_unfilled(fresh.current, fresh.conductance, fresh.charge);
        inputs.summed = true;
    }

    /// Readies the synapses for step `tick`: every delay ring at its slot, spikes straight into
    /// the traces or not ([`Pop::arrive_direct`]), the last step's held input forgotten.
    fn start_step(&mut self, tick: u64, ctx: &StepContext) {
        for r in &mut self.receptors {
            r.now = (tick % r.slots as u64) as usize;
        }
        self.arrive_direct(ctx);
        self.watched_held = None;
    }

    /// Whether this step's spikes go straight into the synapses' traces: where the membrane's
    /// loop takes the synapses and every spike into them arrives in the next step, a ring slot
    /// would only be read and cleared by that loop (a fifth of its memory traffic). The sums
    /// are the same but for rounding (a trace sums arrivals in `f64`, a slot in `f32`). From the
    /// ring to the traces, what the ring holds for this step joins them; the other way, what
    /// the traces took is already there.
    fn arrive_direct(&mut self, ctx: &StepContext) {
        let direct = self.held_synapses(ctx) && self.receptors.iter().all(|r| r.one_step);
        for r in &mut self.receptors {
            if direct && !r.direct {
                r.states.absorb(&mut r.ring[r.now * r.n..][..r.n]);
            }
            r.direct = direct;
        }
    }

    /// What the population's neurons share in the step from `t_ms`.
    fn context(&self, t_ms: f64, run: &Stepping) -> StepContext {
        let conductance = self.receptors.iter().any(|r| r.reversal_mv.is_some());
        let Stepping { dt_ms, integrator, timing, .. } = *run;
        StepContext { t_ms, dt_ms, integrator, timing, offset: self.offset, conductance }
    }

    /// Whether the population's synapses are taken inside its membrane's loop: one or two
    /// exponential types, both current or both conductance synapses, into a closed-form
    /// membrane (CUBA, COBA, the microcircuit).
    fn held_synapses(&self, ctx: &StepContext) -> bool {
        let held = match &self.receptors[..] {
            [a] => matches!(a.propagator.kernel(), Kernel::Exponential { .. }),
            [a, b] => a.pairs_with(b),
            _ => false,
        };
        held && self.population.takes_held_current(ctx)
    }
}

/// Steps a population whose membrane's loop takes its one or two exponential synapse types
/// ([`Pop::held_synapses`]).
fn step_held(pop: &mut Pop, ctx: &StepContext, spikes: &mut Vec<Spike>, team: &Team) -> Result<(), Fault> {
    let membrane = pop.population.model().linear();
    let conductance = pop.receptors[0].reversal_mv.is_some();
    // Where this step's arrivals are (spikes that arrived straight in the traces leave no slot
    // to take), and what turns a trace into the held input: a conductance's reversal
    // potential, a current's factor.
    let direct = pop.receptors.iter().all(|r| r.direct);
    let lane = |r: &mut Receptor| {
        let factor = r.reversal_mv.unwrap_or_else(|| r.current_factor(membrane, ctx.integrator, ctx.dt_ms));
        let slot = if direct { 0..0 } else { r.now * r.n..(r.now + 1) * r.n };
        (slot, factor)
    };
    let (population, inputs) = (&mut pop.population, &pop.inputs);
    let (watched, watched_held) = (pop.watched, &mut pop.watched_held);
    macro_rules! step {
        ($types:expr) => {
            match (conductance, direct) {
                (true, true) => step!(@ HeldExponentials::<_, true, false>::new($types)),
                (true, false) => step!(@ HeldExponentials::<_, true, true>::new($types)),
                (false, true) => step!(@ HeldExponentials::<_, false, false>::new($types)),
                (false, false) => step!(@ HeldExponentials::<_, false, true>::new($types)),
            }
        };
        (@ $held:expr) => {{
            let mut held = $held;
            // The traced neuron's input, read before the loop takes it.
            *watched_held = watched.map(|i| held.peek(i));
            population.step(ctx, inputs, spikes, team, &mut held)
        }};
    }
    match &mut pop.receptors[..] {
        [a] => {
            let (sa, fa) = lane(a);
            step!([(&mut a.states, &a.propagator, &mut a.ring[sa], fa)])
        }
        [a, b] => {
            let ((sa, fa), (sb, fb)) = (lane(a), lane(b));
            let a = (&mut a.states, &a.propagator, &mut a.ring[sa], fa);
            step!([a, (&mut b.states, &b.propagator, &mut b.ring[sb], fb)])
        }
        _ => unreachable!("one or two types, as held_synapses requires"),
    }
}

/// A synapse type's part in summing a step's input of some of its population's neurons: their
/// traces, this step's arrivals at them, and what turns its output into input.
struct Lane<'a> {
    states: KernelPart<'a>,
    propagator: &'a Propagator,
    arrivals: &'a mut [f32],
    reversal_mv: Option<f64>,
    /// A current's factor ([`Receptor::current_factor`]).
    factor: f64,
}

/// Each synapse type's lane over all its population's neurons, at the slot of the present step.
fn lanes<'a>(receptors: &'a mut [Receptor], membrane: Option<Linear>, ctx: &StepContext) -> Vec<Lane<'a>> {
    let lane = |r: &'a mut Receptor| {
        let factor = r.current_factor(membrane, ctx.integrator, ctx.dt_ms);
        let Receptor { propagator, reversal_mv, states, ring, n, now, .. } = r;
        let (states, arrivals) = (states.part(0..*n), &mut ring[*now * *n..][..*n]);
        Lane { states, propagator, arrivals, reversal_mv: *reversal_mv, factor }
    };
    receptors.iter_mut().map(lane).collect()
}

/// Sums this step's synaptic input of some neurons into their `(current, conductance,
/// charge)`: each synapse type takes its arrivals through its kernel, as a charge (delta), a
/// current, or a conductance. Under the exact scheme an exponential current enters as the held
/// current that gives its exact effect. The first type to fill an array assigns it (no
/// clearing pass), the others add; two exponential types of the same kind are taken in one
/// pass. Returns the arrays no type filled.
#[inline(always)]
fn collect(
    lanes: &mut [Lane],
    (current, conductance, charge): (&mut [f64], &mut [f64], &mut [f64]),
    dt_ms: f64,
) -> Fresh {
    let mut fresh = Fresh { current: true, conductance: true, charge: true };
    let mut rest = lanes;
    while let Some((r, tail)) = rest.split_first_mut() {
        if let Some(s) = tail.first_mut().filter(|s| pairs(r.propagator, r.reversal_mv, s.propagator, s.reversal_mv)) {
            let (fa, fb) = (r.factor, s.factor);
            let a = (&mut r.states, r.propagator, &mut *r.arrivals);
            let b = (&mut s.states, s.propagator, &mut *s.arrivals);
            match (r.reversal_mv, s.reversal_mv) {
                (Some(ea), Some(eb)) => {
                    let (fg, fi) = (fresh.conductance, fresh.current);
                    KernelPart::advance_pair(a, b, |i, ga, gb| {
                        put(&mut conductance[i], ga + gb, fg);
                        put(&mut current[i], ga * ea + gb * eb, fi);
                    });
                    fresh.conductance = false;
                }
                _ => {
                    let fi = fresh.current;
                    KernelPart::advance_pair(a, b, |i, va, vb| put(&mut current[i], fa * va + fb * vb, fi));
                }
            }
            fresh.current = false;
            rest = &mut tail[1..];
            continue;
        }
        let (f, p, arrivals) = (r.factor, r.propagator, &mut *r.arrivals);
        match (p.kernel(), r.reversal_mv) {
            (Kernel::Delta, None) => {
                let fq = fresh.charge;
                r.states.advance(p, arrivals, |i, q| put(&mut charge[i], q, fq));
                fresh.charge = false;
            }
            (Kernel::Delta, Some(e)) => {
                let (fg, fi) = (fresh.conductance, fresh.current);
                r.states.advance(p, arrivals, |i, q| {
                    put(&mut conductance[i], q / dt_ms, fg);
                    put(&mut current[i], q / dt_ms * e, fi);
                });
                (fresh.conductance, fresh.current) = (false, false);
            }
            (_, None) => {
                let fi = fresh.current;
                r.states.advance(p, arrivals, |i, value| put(&mut current[i], f * value, fi));
                fresh.current = false;
            }
            (_, Some(e)) => {
                let (fg, fi) = (fresh.conductance, fresh.current);
                r.states.advance(p, arrivals, |i, g| {
                    put(&mut conductance[i], g, fg);
                    put(&mut current[i], g * e, fi);
                });
                (fresh.conductance, fresh.current) = (false, false);
            }
        }
        rest = tail;
    }
    fresh
}

/// Whether two synapse types can be taken in one pass: both exponential, both current or both
/// conductance synapses.
fn pairs(pa: &Propagator, ea: Option<f64>, pb: &Propagator, eb: Option<f64>) -> bool {
    let exponential = |p: &Propagator| matches!(p.kernel(), Kernel::Exponential { .. });
    exponential(pa) && exponential(pb) && ea.is_some() == eb.is_some()
}

/// Which of a population's input arrays no synapse type has filled yet this step.
struct Fresh {
    current: bool,
    conductance: bool,
    charge: bool,
}

/// Assigns `value` to an input nothing has filled this step, else adds it (`fresh` is the same
/// for a whole loop, so the loop is compiled once for each).
#[inline(always)]
fn put(at: &mut f64, value: f64, fresh: bool) {
    if fresh { *at = value } else { *at += value }
}

impl Receptor {
    /// What its kernel's output is multiplied by to be the current held over a step: under the
    /// exact scheme an exponential current's exact effect on the linear `membrane`, else 1.
    fn current_factor(&self, membrane: Option<Linear>, integrator: Integrator, dt_ms: f64) -> f64 {
        held_current_factor(self.propagator.kernel(), membrane, integrator, dt_ms)
    }

    /// Whether `other` can be taken in one pass with this one ([`pairs`]).
    fn pairs_with(&self, other: &Receptor) -> bool {
        pairs(&self.propagator, self.reversal_mv, &other.propagator, other.reversal_mv)
    }
}

/// What a current kernel's output is multiplied by to be the current held over a step: under
/// the exact scheme an exponential current's exact effect on the linear `membrane` (for a
/// synapse type and a stimulus's spike input alike), else 1.
fn held_current_factor(kernel: Kernel, membrane: Option<Linear>, integrator: Integrator, dt_ms: f64) -> f64 {
    match (membrane, kernel) {
        (Some(lin), Kernel::Exponential { tau_ms }) if integrator == Integrator::Exact => {
            lin.exponential_current_factor(tau_ms, dt_ms)
        }
        _ => 1.0,
    }
}

/// How a population's spikes reach the projections (indices into `Net::projections`).
#[derive(Debug, Clone, Default)]
struct Links {
    /// Static projections leaving it: its spikes' rows go straight into the delay rings.
    fixed_out: Vec<usize>,
    /// Plastic projections leaving it: its spikes' rows are read when they arrive.
    plastic_out: Vec<usize>,
    /// Plastic projections into it: its spikes potentiate them.
    plastic_in: Vec<usize>,
    /// No two of `fixed_out` share a ring (target population and receptor), so a run of spikes
    /// can be delivered a projection at a time: each ring slot still takes its additions in
    /// spike order, the same sums to the last bit.
    apart: bool,
}

impl Links {
    fn of(p: usize, projections: &[Proj]) -> Self {
        let (mut links, mut rings) = (Self::default(), Vec::new());
        for (k, proj) in projections.iter().enumerate() {
            match (proj.from == p, proj.plastic.is_some()) {
                (true, false) => {
                    links.fixed_out.push(k);
                    rings.push((proj.to, proj.receptor));
                }
                (true, true) => links.plastic_out.push(k),
                _ => {}
            }
            if proj.to == p && proj.plastic.is_some() {
                links.plastic_in.push(k);
            }
        }
        rings.sort_unstable();
        links.apart = rings.windows(2).all(|w| w[0] != w[1]);
        links
    }
}

#[derive(Debug, Clone)]
struct Proj {
    from: usize,
    to: usize,
    receptor: usize,
    connections: Connections,
    plastic: Option<Plastic>,
    /// Where the team's members' parts of each row start (static projections, made when a
    /// step's delivery is first shared out).
    splits: Splits,
}

impl Proj {
    /// The present weight of synapse `s` (row order): learned, or as connected.
    fn weight(&self, s: usize) -> f64 {
        self.plastic.as_ref().map_or_else(|| self.connections.weight_of(s), |p| p.weight(s))
    }
}

/// A stimulus into neurons `first..` of a population.
#[derive(Debug, Clone)]
struct InputRun {
    pop: usize,
    first: usize,
    runner: Runner,
}

/// How a network steps: the run's settings, the same every step until the user changes them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stepping {
    pub dt_ms: f64,
    pub integrator: Integrator,
    pub timing: SpikeTiming,
    /// Threads a step is shared out over (the result is the same).
    pub threads: usize,
}

#[derive(Debug, Clone)]
pub struct Net {
    pops: Vec<Pop>,
    projections: Vec<Proj>,
    /// How each population's spikes reach the projections.
    links: Vec<Links>,
    inputs: Vec<InputRun>,
    /// Steps taken (indexes the ring slots).
    tick: u64,
    /// The step of the last call of [`Net::step`] (what [`Net::input_of`] reports).
    last_dt_ms: f64,
    /// Scratch: the present step's runs of spikes by population.
    runs: Vec<Run>,
    /// The threads a step is shared out over (`Stepping::threads`).
    team: Team,
    /// The last step's spikes, when it was taken in shares: delivered at the start of the next.
    pending: shares::Pending,
}

impl Net {
    pub fn n_neurons(&self) -> usize {
        self.pops.iter().map(|p| p.population.len()).sum()
    }
    pub fn n_synapses(&self) -> usize {
        self.projections.iter().map(|p| p.connections.n_synapses()).sum()
    }
    /// Bytes of synaptic storage (connectivity, per-synapse weights and delays).
    pub fn synapse_bytes(&self) -> usize {
        self.projections.iter().map(|p| p.connections.bytes()).sum()
    }

    /// Whether global neuron `g` is a spike source (no variables).
    pub fn is_source(&self, g: usize) -> bool {
        self.pops[self.locate(g).0].source.is_some()
    }

    /// The population and local index of global neuron `g`.
    pub fn locate(&self, g: usize) -> (usize, usize) {
        let p = self.pops.partition_point(|pop| pop.offset as usize <= g) - 1;
        (p, g - self.pops[p].offset as usize)
    }
    pub fn population(&self, p: usize) -> &Population {
        &self.pops[p].population
    }
    pub fn population_mut(&mut self, p: usize) -> &mut Population {
        &mut self.pops[p].population
    }
    pub fn n_populations(&self) -> usize {
        self.pops.len()
    }
    /// The input neuron `g` received in the last step, at its current membrane potential (a
    /// delta input's charge spread over that step). Synapses the membrane's loop took count
    /// for the neuron [`Net::watch`]ed only.
    pub fn input_of(&self, g: usize) -> f64 {
        let (p, i) = self.locate(g);
        let pop = &self.pops[p];
        let v = pop.population.var(0, i);
        let held = pop.watched_held.filter(|_| pop.watched == Some(i));
        let (current, conductance) = held.unwrap_or((0.0, 0.0));
        pop.inputs.spread(i, self.last_dt_ms).at(v) + current - conductance * v
    }

    /// Keeps the input of neuron `g` (global index; none: no neuron) from the next step on,
    /// whatever sums it ([`Net::input_of`]).
    pub fn watch(&mut self, g: Option<usize>) {
        let at = g.map(|g| self.locate(g));
        for (p, pop) in self.pops.iter_mut().enumerate() {
            pop.watched = at.filter(|&(q, _)| q == p).map(|(_, i)| i);
            pop.watched_held = None;
        }
    }

    /// Number of plastic synapses.
    pub fn n_plastic(&self) -> usize {
        self.projections.iter().filter_map(|p| p.plastic.as_ref()).map(|p| p.weights.len()).sum()
    }

    /// Pulses the memory devices of plastic projections have taken since the start.
    pub fn device_pulses(&self) -> u64 {
        self.projections.iter().filter_map(|p| p.plastic.as_ref()).map(Plastic::device_pulses).sum()
    }

    /// Every plastic weight as a fraction of its rule's `w_max`, appended to `out`.
    pub fn plastic_weights(&self, out: &mut Vec<f64>) {
        for plastic in self.projections.iter().filter_map(|p| p.plastic.as_ref()) {
            let w_max = plastic.rule.w_max();
            out.extend((0..plastic.weights.len()).map(|s| plastic.weight(s) / w_max));
        }
    }

    /// Plastic synapses as `(pre, post, weight)` global triples, in the order of
    /// [`Net::plastic_weights`].
    pub fn plastic_synapses(&self) -> impl Iterator<Item = (u32, u32, f64)> + '_ {
        self.triples(|proj| proj.plastic.is_some())
    }

    /// Every synapse as a `(pre, post, weight)` global triple (connectivity view).
    pub fn synapses(&self) -> impl Iterator<Item = (u32, u32, f64)> + '_ {
        self.triples(|_| true)
    }

    /// The synapses of the projections `keep` selects, with their present weights.
    fn triples(&self, keep: impl Fn(&Proj) -> bool + 'static) -> impl Iterator<Item = (u32, u32, f64)> + '_ {
        self.projections.iter().filter(move |proj| keep(proj)).flat_map(move |proj| {
            let (pre0, post0) = (self.pops[proj.from].offset, self.pops[proj.to].offset);
            let c = &proj.connections;
            (0..c.csr.n_pre()).flat_map(move |pre| {
                let start = c.csr.offsets()[pre] as usize;
                c.csr
                    .row(pre)
                    .iter()
                    .enumerate()
                    .map(move |(k, &t)| (pre0 + pre as u32, post0 + t, proj.weight(start + k)))
            })
        })
    }

    /// One step from `t_ms`; `stimulus_step` is the index on the stimulus grid. Spikes are
    /// appended in time order. `threads > 1` shares the step out over that many threads (all
    /// of it where [`Net::steps_in_shares`]), with the same result. On a CPU with AVX2 and FMA the step runs
    /// compiled for them (wider vectors for the per-neuron loops, the same arithmetic).
    pub fn step(
        &mut self,
        t_ms: f64,
        stimulus_step: u64,
        run: &Stepping,
        spikes: &mut Vec<Spike>,
    ) -> Result<(), Fault> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA, checked just above.
            return unsafe { self.step_avx2(t_ms, stimulus_step, run, spikes) };
        }
        self.step_any(t_ms, stimulus_step, run, spikes)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn step_avx2(
        &mut self,
        t_ms: f64,
        stimulus_step: u64,
        run: &Stepping,
        spikes: &mut Vec<Spike>,
    ) -> Result<(), Fault> {
        self.step_any(t_ms, stimulus_step, run, spikes)
    }

    #[inline(always)]
    fn step_any(
        &mut self,
        t_ms: f64,
        stimulus_step: u64,
        run: &Stepping,
        spikes: &mut Vec<Spike>,
    ) -> Result<(), Fault> {
        let Stepping { dt_ms, threads, .. } = *run;
        self.last_dt_ms = dt_ms;
        if self.team.size() != threads.max(1) {
            self.team = Team::new(threads);
        }
        // 1. inputs summed: plastic synapses (depression as their spikes arrive), every synapse
        //    type's arrivals of this step, then stimuli; 2-3. integrate, threshold, reset. In
        //    shares on the team where the network allows, else population by population.
        let first_new = spikes.len();
        let in_shares = self.steps_in_shares(run);
        if in_shares {
            self.step_in_shares(t_ms, stimulus_step, run, spikes)?;
        } else {
            self.flush();
            self.step_in_turn(t_ms, stimulus_step, run, spikes)?;
        }
        // In time order, ties by neuron (an unstable sort by the full key: no allocation); on
        // the grid they mostly are already.
        let order = |a: &Spike, b: &Spike| a.t_ms.total_cmp(&b.t_ms).then(a.neuron.cmp(&b.neuron));
        if !spikes[first_new..].is_sorted_by(|a, b| order(a, b).is_le()) {
            spikes[first_new..].sort_unstable_by(order);
        }
        // 4. each spike potentiates the plastic synapses into its neuron and is read by the
        //    plastic rows out of it; 5. spikes into the delay rings. Spikes come in runs of one
        //    population, taken a run at a time.
        let mut runs = std::mem::take(&mut self.runs);
        runs.clear();
        let mut start = first_new;
        while start < spikes.len() {
            let (p, _) = self.locate(spikes[start].neuron as usize);
            let (first, links) = (self.pops[p].offset, &self.links[p]);
            let size = self.pops[p].population.len() as u32;
            let end = start
                + spikes[start..]
                    .iter()
                    .position(|s| s.neuron < first || s.neuron - first >= size)
                    .unwrap_or(spikes.len() - start);
            for spike in &spikes[start..end] {
                let i = (spike.neuron - first) as usize;
                // Plastic rows are read when they arrive, with the weights of that moment.
                for &k in &links.plastic_out {
                    let proj = &mut self.projections[k];
                    proj.plastic.as_mut().expect("plastic").spiked(&proj.connections, i);
                }
                for &k in &links.plastic_in {
                    self.projections[k].plastic.as_mut().expect("plastic").post_spike(i, spike.t_ms);
                }
            }
            runs.push(Run { pop: p, first, spikes: start..end });
            start = end;
        }
        match in_shares {
            true => self.defer(&runs, spikes),
            false => self.deliver(&runs, spikes),
        }
        self.runs = runs;
        self.tick += 1;
        for plastic in self.projections.iter_mut().filter_map(|p| p.plastic.as_mut()) {
            if let Some((total, every)) = plastic.normalise
                && plastic.learning
                && self.tick.is_multiple_of(every)
            {
                plastic.normalise_to(total, t_ms + dt_ms);
            }
        }
        Ok(())
    }
}

impl Net {
    /// Sums the inputs of step `stimulus_step` from `t_ms` and steps every population, one
    /// after another (each may still share its neurons out over the team); spikes are appended
    /// in population order.
    fn step_in_turn(
        &mut self,
        t_ms: f64,
        stimulus_step: u64,
        run: &Stepping,
        spikes: &mut Vec<Spike>,
    ) -> Result<(), Fault> {
        let dt_ms = run.dt_ms;
        for proj in &mut self.projections {
            if let Some(plastic) = &mut proj.plastic {
                let r = &mut self.pops[proj.to].receptors[proj.receptor];
                plastic.arrivals(&proj.connections, self.tick, t_ms, r);
            }
        }
        for pop in &mut self.pops {
            let ctx = pop.context(t_ms, run);
            pop.collect_synapses(self.tick, &ctx);
        }
        for input in &mut self.inputs {
            let pop = &mut self.pops[input.pop];
            let membrane = pop.population.model().linear();
            let held = |kernel| held_current_factor(kernel, membrane, run.integrator, dt_ms);
            let inputs = &mut pop.inputs;
            let (current, charge) = (&mut inputs.current[input.first..], &mut inputs.charge[input.first..]);
            input.runner.inject(stimulus_step, current, charge, held, &self.team);
            inputs.stimulate(input.runner.writes_current());
        }
        // 2-3. integrate, threshold, reset.
        for pop in &mut self.pops {
            let n = pop.population.len();
            if let Some(source) = &mut pop.source {
                // Sources fire at the start of the step, once per event of the step.
                let first = spikes.len();
                let at = |i: usize| Spike { t_ms, neuron: pop.offset + i as u32 };
                if source.played.from.is_some() {
                    spikes.extend(source.played.at(self.tick).iter().map(|&i| at(i as usize)));
                } else if let (SpikeSource::Digits { max_rate_hz, present_ms, rest_ms }, Some(images)) =
                    (&source.train, &source.images)
                {
                    // Image k is shown from k (present + rest); its pixels set the rates.
                    let period = present_ms + rest_ms;
                    let k = (t_ms / period).floor();
                    let image = &images[k as usize % images.len()];
                    let rate = if t_ms - k * period < *present_ms { *max_rate_hz } else { 0.0 };
                    let weight = |i: usize| image[i] as f64;
                    source.pool.step_weighted((stimulus_step, dt_ms), n, rate, weight, |i| spikes.push(at(i)));
                    spikes[first..].sort_unstable_by_key(|s| s.neuron);
                } else if source.train.is_random() {
                    source.pool.step(&source.train, stimulus_step, dt_ms, n, |i| spikes.push(at(i)));
                    spikes[first..].sort_unstable_by_key(|s| s.neuron);
                } else {
                    let count = deterministic_spikes(&source.train, stimulus_step, dt_ms) as usize;
                    spikes.extend((0..n).flat_map(|i| std::iter::repeat_n(at(i), count)));
                }
                continue;
            }
            let ctx = pop.context(t_ms, run);
            if pop.held_synapses(&ctx) {
                step_held(pop, &ctx, spikes, &self.team)?;
            } else {
                pop.population.step(&ctx, &pop.inputs, spikes, &self.team, &mut ())?;
            }
        }
        Ok(())
    }
}

/// A run of one population's spikes within a step's spikes.
#[derive(Debug, Clone)]
struct Run {
    pop: usize,
    /// The population's first global neuron.
    first: u32,
    spikes: std::ops::Range<usize>,
}
