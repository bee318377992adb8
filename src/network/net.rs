//! A network at run time: populations as struct-of-arrays, synapse states per synapse type,
//! a delay ring buffer per synapse type, and projections as compressed rows.
//!
//! One step (the schedule written in the engine's simulation module): each synapse type takes this
//! step's arrivals out of its ring slot and advances its kernel; the stimuli add their
//! currents; every population integrates, thresholds and resets; each spike then adds its
//! weights into the ring slot `D` steps ahead (`D >= 1`, so nothing lands in the slot being read).

use rand::RngExt;

use super::connect::{Connections, connect};
use super::csr::{group_by_key, group_by_key_into};
use super::population::{Inputs, StepContext};
use super::spec::{Dist, NetworkSpec, Spread};
use super::{Fault, Population, Spike};
use crate::integrate::{Integrator, SpikeTiming};
use crate::neuron::NeuronModel;
use crate::random::{Rng, seeded, stream};
use crate::stimulus::runner::{PoissonPool, deterministic_spikes};
use crate::stimulus::{Runner, SpikeSource, Stimulus};
use crate::synapse::plasticity::{Depression, StdpRule, TraceClock, Traces};
use crate::synapse::{Kernel, KernelStates, Propagator};

/// One synapse type of a population: kernel states and the pending input per delay slot.
#[derive(Debug, Clone)]
struct Receptor {
    propagator: Propagator,
    reversal_mv: Option<f64>,
    states: KernelStates,
    /// Neurons of the population.
    n: usize,
    /// `ring[slot * n + j]`: weight arriving at neuron `j` in the step of that slot.
    ring: Vec<f64>,
    slots: usize,
    /// The slot of the present step (`tick % slots`, kept so that a spike's delivery costs
    /// no division).
    now: usize,
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
}

impl Pop {
    /// Sums this step's synaptic input: each synapse type takes its ring slot's arrivals
    /// through its kernel, as a charge (delta), a current, or a conductance. Under the exact
    /// scheme an exponential current enters as the held current that gives its exact effect.
    #[inline(always)]
    fn collect_synapses(&mut self, tick: u64, dt_ms: f64, integrator: Integrator) {
        self.inputs.clear();
        let linear = self.population.model().linear().filter(|_| integrator == Integrator::Exact);
        let inputs = &mut self.inputs;
        for r in &mut self.receptors {
            let n = r.n;
            r.now = (tick % r.slots as u64) as usize;
            let arrivals = &mut r.ring[r.now * n..][..n];
            let (current, conductance, charge) =
                (&mut inputs.current[..n], &mut inputs.conductance[..n], &mut inputs.charge[..n]);
            let p = &r.propagator;
            match (p.kernel(), r.reversal_mv) {
                (Kernel::Delta, None) => r.states.advance(p, arrivals, |i, q| charge[i] += q),
                (Kernel::Delta, Some(e)) => r.states.advance(p, arrivals, |i, q| {
                    conductance[i] += q / dt_ms;
                    current[i] += q / dt_ms * e;
                }),
                (kernel, None) => {
                    let factor = match (linear, kernel) {
                        (Some(lin), Kernel::Exponential { tau_ms }) => lin.exponential_current_factor(tau_ms, dt_ms),
                        _ => 1.0,
                    };
                    r.states.advance(p, arrivals, |i, value| current[i] += factor * value);
                }
                (_, Some(e)) => r.states.advance(p, arrivals, |i, g| {
                    conductance[i] += g;
                    current[i] += g * e;
                }),
            }
        }
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
}

impl Proj {
    /// The present weight of synapse `s` (row order): learned, or as connected.
    fn weight(&self, s: usize) -> f64 {
        self.plastic.as_ref().map_or_else(|| self.connections.weight_of(s), |p| p.weight(s))
    }
}

/// The learning state of a plastic projection. Traces are kept against one clock per side, so
/// reading any of them costs a multiplication, not an exponential.
#[derive(Debug, Clone)]
struct Plastic {
    rule: StdpRule,
    /// Per synapse, in the order of `layout`.
    weights: Vec<f64>,
    layout: Layout,
    /// The synapses onto target `j` are places `offsets[j]..offsets[j + 1]` in target order;
    /// `trace_of` gives each its presynaptic trace.
    offsets: Vec<u32>,
    trace_of: Vec<u32>,
    /// Presynaptic traces per source neuron, or per synapse (row order) when the delays vary
    /// (then each synapse sees its spikes arrive at its own time); postsynaptic traces per target.
    pre: Vec<Traces>,
    post: Vec<Traces>,
    pre_clock: TraceClock,
    post_clock: TraceClock,
    per_synapse: bool,
    /// What arrives in each step of the delay ring (`max delay + 1` slots): source neurons, or
    /// synapses when the delays vary.
    pending: Vec<Vec<u32>>,
    /// The slot of `pending` of the present step.
    now: usize,
    /// The weights into each target are scaled to this sum every so many steps.
    normalise: Option<(f64, u64)>,
    /// Whether the weights learn (a task freezes them to test what was learned).
    learning: bool,
}

/// Where the weights are kept. Each spike of a source runs along its row (depression), each
/// spike of a target along the synapses onto it (potentiation); one of the two is contiguous.
#[derive(Debug, Clone)]
enum Layout {
    /// Row order, for a dense projection (all-to-all, one delay): a row is one vector loop, and
    /// a target's synapses lie a row's length apart, a regular stride. `incoming[k]` is the
    /// `k`-th synapse in target order.
    Rows { incoming: Vec<u32> },
    /// Target order, for a sparse one: the synapses onto a firing target are read in sequence;
    /// `place[s]` finds synapse `s` of a row (scattered either way).
    Targets { place: Vec<u32> },
}

impl Layout {
    /// The place of synapse `s` (row order).
    fn of_row(&self, s: usize) -> usize {
        match self {
            Layout::Rows { .. } => s,
            Layout::Targets { place } => place[s] as usize,
        }
    }
    /// The place of the `k`-th synapse in target order.
    fn of_target(&self, k: usize) -> usize {
        match self {
            Layout::Rows { incoming } => incoming[k] as usize,
            Layout::Targets { .. } => k,
        }
    }
}

impl Plastic {
    fn new(rule: StdpRule, c: &Connections, n_post: usize) -> Self {
        let per_synapse = c.delays.is_some();
        let by_target = (0..c.csr.n_pre()).flat_map(|pre| {
            let start = c.csr.offsets[pre] as usize;
            c.csr.row(pre).iter().enumerate().map(move |(k, &t)| (t, ((start + k) as u32, pre as u32)))
        });
        let (offsets, order): (Vec<u32>, Vec<(u32, u32)>) = group_by_key(n_post, by_target);
        let trace_of = order.iter().map(|&(s, pre)| if per_synapse { s } else { pre }).collect();
        let layout = if c.dense && !per_synapse {
            Layout::Rows { incoming: order.iter().map(|&(s, _)| s).collect() }
        } else {
            let mut place = vec![0u32; c.n_synapses()];
            for (k, &(s, _)) in order.iter().enumerate() {
                place[s as usize] = k as u32;
            }
            Layout::Targets { place }
        };
        let mut weights = vec![0.0; c.n_synapses()];
        for s in 0..c.n_synapses() {
            weights[layout.of_row(s)] = c.weight_of(s).clamp(0.0, rule.w_max());
        }
        Self {
            rule,
            weights,
            layout,
            offsets,
            trace_of,
            pre: vec![Traces::default(); if per_synapse { c.n_synapses() } else { c.csr.n_pre() }],
            post: vec![Traces::default(); n_post],
            pre_clock: TraceClock::new(rule.pre_taus()),
            post_clock: TraceClock::new(rule.post_taus()),
            per_synapse,
            pending: vec![Vec::new(); c.max_delay() as usize + 1],
            now: 0,
            normalise: None,
            learning: true,
        }
    }

    /// The present weight of synapse `s` (row order).
    fn weight(&self, s: usize) -> f64 {
        self.weights[self.layout.of_row(s)]
    }

    /// Scales the weights into each target to sum to `total`, each clipped at `w_max`.
    fn normalise_to(&mut self, total: f64) {
        let w_max = self.rule.w_max();
        for j in 0..self.offsets.len() - 1 {
            let places = (self.offsets[j] as usize..self.offsets[j + 1] as usize).map(|k| self.layout.of_target(k));
            let sum: f64 = places.clone().map(|at| self.weights[at]).sum();
            if sum > 0.0 {
                for at in places {
                    self.weights[at] = (self.weights[at] * total / sum).min(w_max);
                }
            }
        }
    }

    /// Another rule of the same kind: the weights stay (within its bound), the traces start
    /// again on the new time constants.
    fn set_rule(&mut self, rule: StdpRule) {
        let w_max = rule.w_max();
        self.weights.iter_mut().for_each(|w| *w = w.clamp(0.0, w_max));
        (self.rule, self.pre_clock, self.post_clock) =
            (rule, TraceClock::new(rule.pre_taus()), TraceClock::new(rule.post_taus()));
        self.pre.fill(Traces::default());
        self.post.fill(Traces::default());
    }

    /// No trace, nothing in flight.
    fn rest(&mut self) {
        self.pre.fill(Traces::default());
        self.post.fill(Traces::default());
        self.pending.iter_mut().for_each(Vec::clear);
    }

    /// The synapses (row indices) an entry of `pending` stands for: a source's row, or one
    /// synapse. Either way the entry also indexes its presynaptic trace.
    fn synapses(&self, c: &Connections, entry: usize) -> std::ops::Range<usize> {
        if self.per_synapse { entry..entry + 1 } else { c.csr.row_range(entry) }
    }

    /// Source `pre` spiked in the present step: its row (or each synapse) waits for its delay.
    fn spiked(&mut self, c: &Connections, pre: usize) {
        let slots = self.pending.len();
        if self.per_synapse {
            for s in c.csr.offsets[pre] as usize..c.csr.offsets[pre + 1] as usize {
                self.pending[slot_after(self.now, c.delay_of(s), slots)].push(s as u32);
            }
        } else {
            self.pending[slot_after(self.now, c.delay, slots)].push(pre as u32);
        }
    }

    /// The spikes arriving at step `tick` (time `t_ms`): depression, then each synapse's weight
    /// into the receptor's slot for this step.
    #[inline(always)]
    fn arrivals(&mut self, c: &Connections, tick: u64, t_ms: f64, r: &mut Receptor) {
        self.pre_clock.keep_near(t_ms, &mut self.pre);
        self.post_clock.keep_near(t_ms, &mut self.post);
        self.now = (tick % self.pending.len() as u64) as usize;
        let slot = self.now;
        if self.pending[slot].is_empty() {
            return;
        }
        let mut arriving = std::mem::take(&mut self.pending[slot]);
        let n = r.n;
        let ring = &mut r.ring[(tick % r.slots as u64) as usize * n..][..n];
        let factors = self.learning.then(|| (self.pre_clock.factors(t_ms), self.post_clock.factors(t_ms)));
        for &entry in &arriving {
            let entry = entry as usize;
            let synapses = self.synapses(c, entry);
            let targets = &c.csr.targets[synapses.clone()];
            let row = match &self.layout {
                Layout::Rows { .. } => Row::Dense(&mut self.weights[synapses]),
                Layout::Targets { place } => {
                    Row::Placed { weights: &mut self.weights, place: &place[synapses], targets }
                }
            };
            let Some((f_pre, f_post)) = factors else {
                // Frozen: the weights as they are, no trace to keep.
                row.deliver(ring);
                continue;
            };
            let post = (&self.post[..], f_post);
            // One loop per variant, each with the variant's update inlined.
            match self.rule.depression(self.pre[entry].at(f_pre)) {
                d @ Depression::Flat { .. } => row.depress(|w, p| d.apply(w, p), post, ring),
                d @ Depression::Linear { .. } => row.depress(|w, p| d.apply(w, p), post, ring),
                d @ Depression::Power { .. } => row.depress(|w, p| d.apply(w, p), post, ring),
            }
            self.pre[entry].spike(f_pre, self.rule.nearest());
        }
        arriving.clear();
        self.pending[slot] = arriving;
    }

    /// Target `post` fired at `t_ms`: potentiation of its incoming synapses.
    fn post_spike(&mut self, post: usize, t_ms: f64) {
        if !self.learning {
            return;
        }
        let (f_pre, f_post) = (self.pre_clock.factors(t_ms), self.post_clock.factors(t_ms));
        let (rule, before) = (self.rule, self.post[post].at(f_post));
        let range = self.offsets[post] as usize..self.offsets[post + 1] as usize;
        let (pre, traces) = (&self.pre, &self.trace_of[range.clone()]);
        match &self.layout {
            Layout::Rows { incoming } => {
                for (&at, &trace) in incoming[range].iter().zip(traces) {
                    let w = &mut self.weights[at as usize];
                    *w = rule.on_post(*w, pre[trace as usize].at(f_pre), before);
                }
            }
            Layout::Targets { .. } => {
                for (w, &trace) in self.weights[range].iter_mut().zip(traces) {
                    *w = rule.on_post(*w, pre[trace as usize].at(f_pre), before);
                }
            }
        }
        self.post[post].spike(f_post, rule.nearest());
    }
}

/// The synapses of one arriving row: contiguous onto every target in order (a dense row), or
/// each found at its place.
enum Row<'a> {
    Dense(&'a mut [f64]),
    Placed { weights: &'a mut [f64], place: &'a [u32], targets: &'a [u32] },
}

impl Row<'_> {
    /// Adds each synapse's weight into its target's slot of `ring`.
    #[inline(always)]
    fn deliver(self, ring: &mut [f64]) {
        match self {
            Row::Dense(weights) => add_row(ring, &[], weights, true),
            Row::Placed { weights, place, targets } => {
                for (&at, &t) in place.iter().zip(targets) {
                    ring[t as usize] += weights[at as usize];
                }
            }
        }
    }

    /// Depresses each synapse by `update(w, its target's first trace)` (the traces read with
    /// their clock's factors), then delivers its new weight.
    #[inline(always)]
    fn depress(self, update: impl Fn(f64, f64) -> f64, (post, f): (&[Traces], [f64; 2]), ring: &mut [f64]) {
        match self {
            Row::Dense(weights) => {
                for ((w, p), at) in weights.iter_mut().zip(post).zip(ring) {
                    *w = update(*w, p.at(f)[0]);
                    *at += *w;
                }
            }
            Row::Placed { weights, place, targets } => {
                for (&at, &t) in place.iter().zip(targets) {
                    let w = update(weights[at as usize], post[t as usize].at(f)[0]);
                    weights[at as usize] = w;
                    ring[t as usize] += w;
                }
            }
        }
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
    /// Threads for the neuron update of large populations (the result is the same).
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
}

impl Net {
    /// One neuron driven by `stimulus` (the neuron bench); its runner uses the run's seed as is.
    pub fn single(model: NeuronModel, stimulus: &Stimulus, dt_ms: f64, seed: u64) -> Self {
        let mut inputs = Inputs::new(1);
        inputs.writes_conductance = false;
        inputs.writes_charge = stimulus.injects_charge();
        let pop = Pop {
            population: Population::new(model, 1),
            source: None,
            offset: 0,
            spread: Vec::new(),
            receptors: Vec::new(),
            inputs,
        };
        let input = InputRun { pop: 0, first: 0, runner: Runner::new(stimulus, dt_ms, seed, 1) };
        Self {
            pops: vec![pop],
            projections: Vec::new(),
            links: vec![Links::default()],
            inputs: vec![input],
            tick: 0,
            last_dt_ms: dt_ms,
        }
    }

    /// Builds a validated network; every random draw comes from `seed`.
    pub fn build(spec: &NetworkSpec, dt_ms: f64, seed: u64) -> Result<Self, String> {
        let mut rng = seeded(seed);
        let offsets = spec.offsets();
        let mut pops = Vec::with_capacity(spec.populations.len());
        for (p, ps) in spec.populations.iter().enumerate() {
            let n = ps.size as usize;
            let mut population = Population::new(ps.neuron, n);
            population.set_spiking(ps.reset, ps.adaptation);
            if !ps.spread.is_empty() {
                population.set_neuron_models(spread_models(ps.neuron, &ps.spread, n, &mut rng)?);
            }
            let names: Vec<&String> = ps.synapses.keys().collect();
            let mut receptors: Vec<Receptor> = ps
                .synapses
                .values()
                .map(|s| Receptor {
                    propagator: Propagator::new(s.kernel, dt_ms),
                    reversal_mv: s.reversal_mv,
                    states: KernelStates::new(n),
                    n,
                    ring: Vec::new(),
                    slots: 1,
                    now: 0,
                })
                .collect();
            for (key, dist) in &ps.initial {
                if let Some(r) = names.iter().position(|name| *name == key) {
                    let kernel = ps.synapses[key].kernel;
                    for i in 0..n {
                        receptors[r].states.start_at(&kernel, i, dist.draw_signed(&mut rng));
                    }
                } else {
                    let var = ps.neuron.vars().iter().position(|v| v.key == key).expect("validated");
                    for i in 0..n {
                        population.set_var(var, i, dist.draw(&mut rng));
                    }
                }
            }
            let spread = ps.spread.iter().map(|s| s.param().to_string()).collect();
            let source = ps.source.clone().map(|train| Source {
                images: matches!(train, SpikeSource::Digits { .. })
                    .then(|| std::sync::Arc::new(crate::dataset::digits_split().train.images)),
                train,
                pool: PoissonPool::new(stream(seed, 2000 + p as u64)),
                played: Played::default(),
            });
            let mut inputs = Inputs::new(n);
            inputs.writes_conductance = receptors.iter().any(|r| r.reversal_mv.is_some());
            inputs.writes_charge = writes_charge(spec, p, &receptors);
            pops.push(Pop { population, source, offset: offsets[p], spread, receptors, inputs });
        }
        let mut projections = Vec::with_capacity(spec.projections.len());
        for k in 0..spec.projections.len() {
            let proj = project(spec, k, dt_ms, seed)?;
            let r = &mut pops[proj.to].receptors[proj.receptor];
            r.slots = r.slots.max(proj.connections.max_delay() as usize + 1);
            projections.push(proj);
        }
        let links = (0..pops.len()).map(|p| Links::of(p, &projections)).collect();
        for pop in &mut pops {
            let n = pop.population.len();
            for r in &mut pop.receptors {
                r.ring = vec![0.0; r.slots * n];
            }
        }
        let inputs = (0..spec.inputs.len()).map(|k| input_run(spec, k, dt_ms, seed)).collect();
        Ok(Self { pops, projections, links, inputs, tick: 0, last_dt_ms: dt_ms })
    }

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
    /// delta input's charge spread over that step).
    pub fn input_of(&self, g: usize) -> f64 {
        let (p, i) = self.locate(g);
        let pop = &self.pops[p];
        pop.inputs.spread(i, self.last_dt_ms).at(pop.population.var(0, i))
    }

    /// Applies a live change of the network built from `old` (seed `seed`) to `new`
    /// ([`NetworkSpec::live_change`]): new neuron parameters or spike trains, a projection's weights drawn
    /// again from its own stream (the same connections; learned weights start again from the
    /// new ones), a plasticity rule's new parameters (weights kept, traces cleared), an input's
    /// new stimulus. Every neuron keeps its state and every spike in flight arrives.
    pub fn apply_live(&mut self, old: &NetworkSpec, new: &NetworkSpec, dt_ms: f64, seed: u64) -> Result<(), String> {
        debug_assert!(old.live_change(new));
        for (p, (a, b)) in old.populations.iter().zip(&new.populations).enumerate() {
            if a.neuron != b.neuron {
                self.set_model(p, b.neuron);
            }
            // A source's new train from the next step; its random stream goes on.
            if let (Some(source), Some(train)) = (&mut self.pops[p].source, &b.source) {
                source.train = train.clone();
            }
        }
        for (k, (a, b)) in old.projections.iter().zip(&new.projections).enumerate() {
            if a.weight != b.weight {
                let fresh = project(new, k, dt_ms, seed)?;
                let proj = &mut self.projections[k];
                let old_plastic = proj.plastic.take();
                (proj.connections, proj.plastic) = (fresh.connections, fresh.plastic);
                // The same connections: what is in flight still arrives.
                if let (Some(plastic), Some(before)) = (&mut proj.plastic, old_plastic) {
                    (plastic.learning, plastic.pending, plastic.now) = (before.learning, before.pending, before.now);
                }
            } else if let Some(plastic) = &mut self.projections[k].plastic {
                if let Some(rule) = b.plasticity.filter(|&r| Some(r) != a.plasticity) {
                    plastic.set_rule(rule);
                }
                plastic.normalise = b.normalise.map(|n| (n.total, ((n.every_ms / dt_ms).round() as u64).max(1)));
            }
        }
        for (k, (a, b)) in old.inputs.iter().zip(&new.inputs).enumerate() {
            if a.stimulus != b.stimulus {
                self.inputs[k] = input_run(new, k, dt_ms, seed);
                let pop = &mut self.pops[self.inputs[k].pop];
                pop.inputs.set_writes_charge(writes_charge(new, self.inputs[k].pop, &pop.receptors));
            }
        }
        Ok(())
    }

    /// Live edit of a population's parameters (same kind); per-neuron values stay.
    pub fn set_model(&mut self, p: usize, model: NeuronModel) {
        let pop = &mut self.pops[p];
        let spread: Vec<&str> = pop.spread.iter().map(String::as_str).collect();
        pop.population.set_base_model(model, &spread);
    }
    /// A new stimulus for input `k` (the bench's single neuron: the run's own seed).
    pub fn set_single_stimulus(&mut self, stimulus: &Stimulus, dt_ms: f64, seed: u64) {
        self.inputs[0].runner = Runner::new(stimulus, dt_ms, seed, 1);
        let inputs = &mut self.pops[0].inputs;
        inputs.clear();
        inputs.set_writes_charge(stimulus.injects_charge());
    }

    /// Number of plastic synapses.
    pub fn n_plastic(&self) -> usize {
        self.projections.iter().filter_map(|p| p.plastic.as_ref()).map(|p| p.weights.len()).sum()
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
                let start = c.csr.offsets[pre] as usize;
                c.csr
                    .row(pre)
                    .iter()
                    .enumerate()
                    .map(move |(k, &t)| (pre0 + pre as u32, post0 + t, proj.weight(start + k)))
            })
        })
    }

    /// One step from `t_ms`; `stimulus_step` is the index on the stimulus grid. Spikes are
    /// appended in time order. `threads > 1` splits the neuron update of large populations over
    /// that many threads, with the same result. On a CPU with AVX2 and FMA the step runs
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
        let Stepping { dt_ms, integrator, timing, threads } = *run;
        self.last_dt_ms = dt_ms;
        // 1. inputs summed: plastic synapses (depression as their spikes arrive), every synapse
        //    type's arrivals of this step, then stimuli.
        for proj in &mut self.projections {
            if let Some(plastic) = &mut proj.plastic {
                let r = &mut self.pops[proj.to].receptors[proj.receptor];
                plastic.arrivals(&proj.connections, self.tick, t_ms, r);
            }
        }
        for pop in &mut self.pops {
            pop.collect_synapses(self.tick, dt_ms, integrator);
        }
        for input in &mut self.inputs {
            let inputs = &mut self.pops[input.pop].inputs;
            let (current, charge) = (&mut inputs.current[input.first..], &mut inputs.charge[input.first..]);
            input.runner.inject(stimulus_step, current, charge);
        }
        // 2-3. integrate, threshold, reset.
        let first_new = spikes.len();
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
            let conductance = pop.receptors.iter().any(|r| r.reversal_mv.is_some());
            let ctx = StepContext { t_ms, dt_ms, integrator, timing, offset: pop.offset, conductance };
            pop.population.step(&ctx, &pop.inputs, spikes, threads)?;
        }
        // In time order, ties by neuron (an unstable sort by the full key: no allocation); on
        // the grid they mostly are already.
        let order = |a: &Spike, b: &Spike| a.t_ms.total_cmp(&b.t_ms).then(a.neuron.cmp(&b.neuron));
        if !spikes[first_new..].is_sorted_by(|a, b| order(a, b).is_le()) {
            spikes[first_new..].sort_unstable_by(order);
        }
        // 4. spikes into the delay rings; 5. each spike potentiates the plastic synapses into
        //    its neuron. Spikes come in runs of one population, taken a run at a time.
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
            let run = &spikes[start..end];
            let rows = run.iter().map(|s| (s.neuron - first) as usize);
            for (spike, i) in run.iter().zip(rows.clone()) {
                // Plastic rows are read when they arrive, with the weights of that moment.
                for &k in &links.plastic_out {
                    let proj = &mut self.projections[k];
                    proj.plastic.as_mut().expect("plastic").spiked(&proj.connections, i);
                }
                for &k in &links.plastic_in {
                    self.projections[k].plastic.as_mut().expect("plastic").post_spike(i, spike.t_ms);
                }
            }
            if links.apart {
                for &k in &links.fixed_out {
                    let proj = &self.projections[k];
                    deliver_run(&proj.connections, rows.clone(), &mut self.pops[proj.to].receptors[proj.receptor]);
                }
            } else {
                for i in rows {
                    for &k in &links.fixed_out {
                        let proj = &self.projections[k];
                        deliver(&proj.connections, i, &mut self.pops[proj.to].receptors[proj.receptor]);
                    }
                }
            }
            start = end;
        }
        self.tick += 1;
        for plastic in self.projections.iter_mut().filter_map(|p| p.plastic.as_mut()) {
            if let Some((total, every)) = plastic.normalise
                && plastic.learning
                && self.tick.is_multiple_of(every)
            {
                plastic.normalise_to(total);
            }
        }
        Ok(())
    }

    /// Plays `trains` (per neuron, ms from now) into spike-source population `p` from the next
    /// step on, in place of its own train: the spike of time `t` fires in the step that
    /// contains it.
    pub fn play(&mut self, p: usize, trains: &[Vec<f64>], dt_ms: f64) {
        let Some(source) = self.pops[p].source.as_mut() else { return };
        let played = &mut source.played;
        let events = &mut played.scratch;
        events.clear();
        for (i, times) in trains.iter().enumerate() {
            events.extend(times.iter().map(|&t| ((t / dt_ms).floor().max(0.0) as u32, i as u32)));
        }
        let steps = events.iter().map(|e| e.0 + 1).max().unwrap_or(0);
        group_by_key_into(steps as usize, events.iter().copied(), &mut played.offsets, &mut played.neurons);
        played.from = Some(self.tick);
    }

    /// Back to rest: every neuron's variables at their initial values, no refractory clock,
    /// no synaptic current or spike in flight, no STDP trace, played trains dropped. What was
    /// learned stays: weights and adaptive thresholds.
    pub fn rest(&mut self) {
        for pop in &mut self.pops {
            pop.population.rest();
            for r in &mut pop.receptors {
                r.states.clear();
                r.ring.fill(0.0);
            }
            if let Some(source) = &mut pop.source {
                source.played.from = None;
            }
        }
        for plastic in self.projections.iter_mut().filter_map(|p| p.plastic.as_mut()) {
            plastic.rest();
        }
    }

    /// Switches learning on or off: plastic weights, their normalisation and adaptive
    /// thresholds all freeze (to test what a network has learned) or resume.
    pub fn set_learning(&mut self, on: bool) {
        for plastic in self.projections.iter_mut().filter_map(|p| p.plastic.as_mut()) {
            plastic.learning = on;
        }
        for pop in &mut self.pops {
            pop.population.set_adapting(on);
        }
    }
}

/// Whether delta charges reach population `p` of `spec` (its receptors `receptors`): from a
/// delta current synapse or an input that injects charge.
fn writes_charge(spec: &NetworkSpec, p: usize, receptors: &[Receptor]) -> bool {
    receptors.iter().any(|r| r.reversal_mv.is_none() && r.propagator.kernel() == Kernel::Delta)
        || spec.inputs.iter().any(|i| i.population == spec.populations[p].name && i.stimulus.injects_charge())
}

/// Projection `k` of `spec`, its connections drawn from its own stream of `seed` (so that it can
/// be drawn again alone, the same).
fn project(spec: &NetworkSpec, k: usize, dt_ms: f64, seed: u64) -> Result<Proj, String> {
    let proj = &spec.projections[k];
    let (from, to) = (spec.population(&proj.from).expect("validated"), spec.population(&proj.to).expect("validated"));
    let receptor = spec.populations[to].synapses.keys().position(|s| *s == proj.synapse).expect("validated");
    let (n_pre, n_post) = (spec.populations[from].size as usize, spec.populations[to].size as usize);
    let mut own = stream(seed, 1000 + k as u64);
    let connections = connect(proj, n_pre, n_post, from == to, dt_ms, &mut own)
        .map_err(|m| format!("field `network.projections.{k}`: {m}"))?;
    let plastic = proj.plasticity.map(|rule| {
        let mut plastic = Plastic::new(rule, &connections, n_post);
        if let Some(n) = proj.normalise {
            plastic.normalise = Some((n.total, ((n.every_ms / dt_ms).round() as u64).max(1)));
            plastic.normalise_to(n.total);
        }
        plastic
    });
    Ok(Proj { from, to, receptor, connections, plastic })
}

/// Input `k` of `spec`. Each input draws from its own stream; its neurons draw independently
/// within it.
fn input_run(spec: &NetworkSpec, k: usize, dt_ms: f64, seed: u64) -> InputRun {
    let input = &spec.inputs[k];
    let pop = spec.population(&input.population).expect("validated");
    let (first, end) = input.neurons.unwrap_or((0, spec.populations[pop].size));
    let own = stream(seed, (k as u64 + 1) << 32).random::<u64>();
    InputRun { pop, first: first as usize, runner: Runner::new(&input.stimulus, dt_ms, own, (end - first) as usize) }
}

/// Adds a row's `weights` into its `targets`' slots of `ring`; a dense row's targets are all of
/// them, in order, so it is a plain vector addition.
#[inline(always)]
fn add_row<W: Copy + Into<f64>>(ring: &mut [f64], targets: &[u32], weights: &[W], dense: bool) {
    if dense {
        for (at, &w) in ring.iter_mut().zip(weights) {
            *at += w.into();
        }
    } else {
        for (&t, &w) in targets.iter().zip(weights) {
            ring[t as usize] += w.into();
        }
    }
}

/// Adds the rows of the sources `pres` (in order) into the ring slots their delays reach.
#[inline(always)]
fn deliver_run(c: &Connections, pres: impl Iterator<Item = usize> + Clone, r: &mut Receptor) {
    match (&c.weights, &c.delays) {
        (Some(w), None) if c.dense => {
            let (n, offsets) = (r.n, &c.csr.offsets);
            let ring = &mut r.ring[slot_after(r.now, c.delay, r.slots) * n..][..n];
            add_dense_rows(ring, pres.map(|pre| &w[offsets[pre] as usize..][..n]));
        }
        _ => pres.for_each(|pre| deliver(c, pre, r)),
    }
}

/// Adds `rows` (each a weight for every target, in order) onto `ring`, a block of targets at a
/// time held in registers over all the rows: each target still sums its rows in order.
#[inline(always)]
fn add_dense_rows<'w>(ring: &mut [f64], rows: impl Iterator<Item = &'w [f32]> + Clone) {
    let from = add_blocks::<16>(ring, rows.clone(), 0);
    let from = add_blocks::<8>(ring, rows.clone(), from);
    let from = add_blocks::<4>(ring, rows.clone(), from);
    add_blocks::<1>(ring, rows, from);
}

/// [`add_dense_rows`] from target `from` on, in blocks of `B` while whole blocks fit; returns
/// where it stopped.
#[inline(always)]
fn add_blocks<'w, const B: usize>(
    ring: &mut [f64],
    rows: impl Iterator<Item = &'w [f32]> + Clone,
    from: usize,
) -> usize {
    let end = from + (ring.len() - from) / B * B;
    for b in (from..end).step_by(B) {
        let at: &mut [f64; B] = (&mut ring[b..b + B]).try_into().expect("a block");
        let mut sum = *at;
        for row in rows.clone() {
            let row: &[f32; B] = row[b..b + B].try_into().expect("a block");
            for (s, &w) in sum.iter_mut().zip(row) {
                *s += w as f64;
            }
        }
        *at = sum;
    }
    end
}

/// Adds the weights of source `pre`'s row into the ring slots its delays reach.
#[inline(always)]
fn deliver(c: &Connections, pre: usize, r: &mut Receptor) {
    let n = r.n;
    let (start, end) = (c.csr.offsets[pre] as usize, c.csr.offsets[pre + 1] as usize);
    let targets = &c.csr.targets[start..end];
    let slot = |d: u16| slot_after(r.now, d, r.slots) * n;
    match (&c.weights, &c.delays) {
        (None, None) => {
            let ring = &mut r.ring[slot(c.delay)..][..n];
            for &t in targets {
                ring[t as usize] += c.weight;
            }
        }
        (Some(w), None) => add_row(&mut r.ring[slot(c.delay)..][..n], targets, &w[start..end], c.dense),
        _ => {
            for (k, &t) in targets.iter().enumerate() {
                let at = slot(c.delay_of(start + k)) + t as usize;
                r.ring[at] += c.weight_of(start + k);
            }
        }
    }
}

/// Per-neuron parameters: the base model with each spread applied.
fn spread_models(base: NeuronModel, spread: &[Spread], n: usize, rng: &mut Rng) -> Result<Vec<NeuronModel>, String> {
    let mut models = vec![base; n];
    for (i, model) in models.iter_mut().enumerate() {
        let r: f64 = rng.random();
        for s in spread {
            let value = match s {
                Spread::Shared { param, scale, power } => base.get(param).expect("validated") + scale * r.powf(*power),
                Spread::Uniform { low, high, .. } => Dist::Uniform { low: *low, high: *high }.draw(rng),
                Spread::Normal { param, sd } => {
                    Dist::Normal { mean: base.get(param).expect("validated"), sd: *sd }.draw(rng)
                }
                Spread::Ramp { low, high, .. } => low + (high - low) * i as f64 / n as f64,
                Spread::Values { values, .. } => values[i],
            };
            model.set(s.param(), value);
        }
        model.validate().map_err(|m| format!("a neuron's spread parameters are out of range: {m}"))?;
    }
    Ok(models)
}
