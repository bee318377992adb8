//! Evaluates a stimulus step by step for `n` neurons at once, with state: deterministic
//! components are the same for every neuron and computed once a step; Ornstein-Uhlenbeck noise
//! is advanced exactly per neuron; Poisson inputs are drawn as one merged process over the
//! neurons (cost in proportion to the spikes, not to neurons x steps), or, from a quarter of a
//! spike per neuron and step, as each neuron's count per step, and filtered per neuron by their
//! synaptic kernel. The neuron bench is the case `n = 1`, so its preview and its run draw
//! the same numbers.

use super::{Component, SpikeSource, Stimulus, step_of};
use rand::RngExt;

use crate::random::{PoissonTable, Rng, exponential, index, normal, stream, streams};
use crate::synapse::{Kernel, KernelStates, Propagator};
use crate::team::{Team, cut, share};
use std::ops::Range;

#[derive(Debug, Clone)]
enum State {
    /// A deterministic shape, the same for every neuron.
    Fixed,
    /// A deterministic spike train (regular, listed times) through its kernel: one state serves
    /// every neuron.
    Train { kernel: KernelStates, arriving: [f64; 1] },
    /// Ornstein-Uhlenbeck noise per neuron, each block of [`COUNT_BLOCK`] neurons drawn from
    /// its own stream (so that blocks may be drawn apart, and several at once).
    Noise { x: Vec<f64>, started: bool, decay: f64, streams: Vec<Rng> },
    /// Independent Poisson trains, one per neuron, through the kernel: drawn as one merged
    /// process, or as each neuron's count per step where that is cheaper (`counts`).
    Poisson { pool: PoissonPool, counts: Option<Counts>, kernel: KernelStates, arriving: Vec<f64> },
}

#[derive(Debug, Clone)]
struct Item {
    component: Component,
    on: u64,
    off: u64,
    state: State,
    propagator: Option<Propagator>,
}

/// A stimulus on the step grid of `dt` for `n` neurons, evaluated in step order.
#[derive(Debug, Clone)]
pub struct Runner {
    dt_ms: f64,
    n: usize,
    items: Vec<Item>,
}

impl Runner {
    /// Prepares `stimulus` for `n` neurons and steps of `dt_ms`, with random streams from `seed`.
    pub fn new(stimulus: &Stimulus, dt_ms: f64, seed: u64, n: usize) -> Self {
        let items = stimulus
            .active()
            .map(|(_, c)| {
                let (start, end) = c.window_ms();
                let (on, mut off) = (step_of(start, dt_ms), step_of(end, dt_ms));
                if matches!(c, Component::Curve { .. }) {
                    off = off.saturating_add(1); // a curve's last point holds at exactly that time
                }
                let (state, propagator) = match c {
                    Component::Noise { seed: s, tau_ms, .. } => {
                        let decay = (-dt_ms / tau_ms).exp();
                        let streams = streams(seed, *s, n.div_ceil(COUNT_BLOCK));
                        (State::Noise { x: vec![0.0; n], started: false, decay, streams }, None)
                    }
                    Component::Spikes { seed: s, kernel, source, .. } => {
                        let propagator = Some(Propagator::new(*kernel, dt_ms));
                        let state = if source.is_random() {
                            let pool = PoissonPool::new(stream(seed, *s));
                            let counts = Counts::new(source, dt_ms, n, (seed, *s));
                            State::Poisson { pool, counts, kernel: KernelStates::new(n), arriving: vec![0.0; n] }
                        } else {
                            State::Train { kernel: KernelStates::new(1), arriving: [0.0] }
                        };
                        (state, propagator)
                    }
                    _ => (State::Fixed, None),
                };
                Item { component: c.clone(), on, off, state, propagator }
            })
            .collect();
        Self { dt_ms, n, items }
    }

    /// Adds what step `n` injects into each neuron `i` to `current[i]` and `charge[i]`. Call
    /// with consecutive `n`: noise and synapses carry state from one step to the next. A spike
    /// input's current is its kernel's output times `held(kernel)`, what makes it the current
    /// held over the step that the integrator takes (1 to take the kernel as it is). Counts
    /// per neuron are drawn shared out over the `team` (the same counts for any size).
    pub fn inject(
        &mut self,
        n: u64,
        current: &mut [f64],
        charge: &mut [f64],
        held: impl Fn(Kernel) -> f64,
        team: &Team,
    ) {
        let (dt, count) = (self.dt_ms, self.n);
        let (current, charge) = (&mut current[..count], &mut charge[..count]);
        for item in &mut self.items {
            if let Some(same) = item.same_for_all(n, dt, &held) {
                Add::Same(same).apply(current, charge);
                continue;
            }
            let inside = item.inside(n, dt);
            match (&item.component, &mut item.state) {
                (Component::Noise { mean, sigma, .. }, State::Noise { x, started, decay, streams }) => {
                    if inside {
                        let start = !std::mem::replace(started, true);
                        Ou { mean: *mean, sigma: *sigma, decay: *decay, start }.add(current, x, streams);
                    }
                }
                (Component::Spikes { source, weight, .. }, State::Poisson { pool, counts, kernel, arriving }) => {
                    let p = item.propagator.as_ref().expect("spike inputs have a propagator");
                    match counts {
                        // A delta kernel passes the step's arrivals on as they are: straight
                        // into the charges.
                        Some(counts) if p.kernel() == Kernel::Delta => {
                            counts.step(source, n, dt, charge, *weight, team);
                            continue;
                        }
                        Some(counts) => counts.step(source, n, dt, arriving, *weight, team),
                        None => pool.step(source, n, dt, count, |i| arriving[i] += weight),
                    }
                    let out = if p.kernel() == Kernel::Delta { &mut *charge } else { &mut *current };
                    let factor = held(p.kernel());
                    kernel.advance(p, arriving, |i, v| out[i] += factor * v);
                }
                _ => unreachable!("state matches its component"),
            }
        }
    }

    /// How many neurons it drives.
    pub fn neurons(&self) -> usize {
        self.n
    }

    /// Whether it injects currents (everything but spike inputs through a delta kernel, which
    /// inject charges).
    pub fn writes_current(&self) -> bool {
        let charge = |item: &Item| item.propagator.as_ref().is_some_and(|p| p.kernel() == Kernel::Delta);
        !self.items.iter().all(charge)
    }

    /// The current held during step `n` for a single neuron, a delta input's charge spread
    /// over the step (the neuron bench's preview; `n = 1`).
    pub fn current(&mut self, n: u64) -> f64 {
        let (mut current, mut charge) = ([0.0], [0.0]);
        self.inject(n, &mut current, &mut charge, |_| 1.0, &Team::new(1));
        current[0] + charge[0] / self.dt_ms + 0.0
    }
}

impl Runner {
    /// Whether each step can be drawn for shares of the neurons apart ([`Runner::shares`]),
    /// with the same numbers: no component draws one random stream across the neurons (a
    /// merged Poisson process) or filters counts through a kernel.
    pub fn divisible(&self) -> bool {
        self.items.iter().all(|item| match &item.state {
            State::Fixed | State::Train { .. } => true,
            State::Poisson { counts, .. } => {
                counts.is_some() && item.propagator.as_ref().is_some_and(|p| p.kernel() == Kernel::Delta)
            }
            State::Noise { .. } => true,
        })
    }

    /// Step `n` cut into the consecutive `shares` of the neurons (from 0, covering them all,
    /// starting at multiples of [`crate::team::SHARE_ALIGN`]): what each share adds, to be
    /// injected apart ([`Adds::inject`]) with what [`Runner::inject`] would add. Only for a
    /// [`Runner::divisible`] stimulus.
    pub fn shares(&mut self, n: u64, held: impl Fn(Kernel) -> f64, shares: &[Range<usize>]) -> Vec<Adds<'_>> {
        let dt = self.dt_ms;
        let mut adds: Vec<Adds> = shares.iter().map(|_| Adds(Vec::new())).collect();
        for item in &mut self.items {
            if let Some(same) = item.same_for_all(n, dt, &held) {
                adds.iter_mut().for_each(|a| a.0.push(Add::Same(same)));
                continue;
            }
            // A share's blocks: from its first (an empty share has none).
            assert!(shares.iter().all(|s| s.is_empty() || s.start.is_multiple_of(COUNT_BLOCK)), "whole blocks");
            let blocks: Vec<_> =
                shares.iter().map(|s| s.start.div_ceil(COUNT_BLOCK)..s.end.div_ceil(COUNT_BLOCK)).collect();
            let inside = item.inside(n, dt);
            match (&item.component, &mut item.state) {
                (Component::Noise { mean, sigma, .. }, State::Noise { x, started, decay, streams }) => {
                    if !inside {
                        continue;
                    }
                    let ou = Ou { mean: *mean, sigma: *sigma, decay: *decay, start: !std::mem::replace(started, true) };
                    let parts = cut(x, shares).into_iter().zip(cut(streams, &blocks));
                    for (add, (x, streams)) in adds.iter_mut().zip(parts) {
                        add.0.push(Add::Noise { ou, x, streams });
                    }
                }
                (Component::Spikes { source, weight, .. }, State::Poisson { counts: Some(counts), .. }) => {
                    if !Counts::on(source, n, dt) {
                        continue;
                    }
                    let table = &counts.table;
                    for (add, streams) in adds.iter_mut().zip(cut(&mut counts.streams, &blocks)) {
                        add.0.push(Add::Counts { table, weight: *weight, streams });
                    }
                }
                _ => unreachable!("a divisible stimulus"),
            }
        }
        adds
    }
}

/// What a stimulus adds to a share of its neurons in one step, component by component.
pub struct Adds<'a>(Vec<Add<'a>>);

impl Adds<'_> {
    /// Adds it to the share's `current` and `charge`.
    pub fn inject(&mut self, current: &mut [f64], charge: &mut [f64]) {
        for add in &mut self.0 {
            add.apply(current, charge);
        }
    }
}

/// What one component adds in a step to some neurons.
enum Add<'a> {
    /// The same current and charge to each (0 adds nothing).
    Same((f64, f64)),
    /// `weight` times a count of Poisson spikes to each charge, a block of neurons from each
    /// stream.
    Counts { table: &'a PoissonTable, weight: f64, streams: &'a mut [Rng] },
    /// Each neuron's noise `x` to its current, then the next `x`, a block from each stream.
    Noise { ou: Ou, x: &'a mut [f64], streams: &'a mut [Rng] },
}

impl Add<'_> {
    fn apply(&mut self, current: &mut [f64], charge: &mut [f64]) {
        match self {
            Add::Same((i, q)) => {
                if *i != 0.0 {
                    current.iter_mut().for_each(|c| *c += *i);
                }
                if *q != 0.0 {
                    charge.iter_mut().for_each(|c| *c += *q);
                }
            }
            Add::Counts { table, weight, streams } => draw_blocks(table, *weight, charge, streams),
            Add::Noise { ou, x, streams } => ou.add(current, x, streams),
        }
    }
}

/// One step of Ornstein-Uhlenbeck noise: each neuron's `x` (mean `mean`, standard deviation
/// `sigma`, decaying by `decay` a step) is added to its current and then advanced exactly.
#[derive(Debug, Clone, Copy)]
struct Ou {
    mean: f64,
    sigma: f64,
    decay: f64,
    /// The first step: `x` starts in the stationary distribution.
    start: bool,
}

impl Ou {
    /// Adds `x` to `current` and advances it, each block of [`COUNT_BLOCK`] neurons from its
    /// own stream of `streams`, four blocks at a time (their chains of random numbers overlap
    /// in the CPU; each block still draws its own stream in order).
    fn add(self, current: &mut [f64], x: &mut [f64], streams: &mut [Rng]) {
        let spread = self.sigma * (1.0 - self.decay * self.decay).sqrt();
        let (whole, _) = x.as_chunks_mut::<COUNT_BLOCK>();
        let grouped = whole.len() / 4 * 4;
        let (xs, rest) = x.split_at_mut(grouped * COUNT_BLOCK);
        let (is, rest_i) = current.split_at_mut(grouped * COUNT_BLOCK);
        let (group_streams, rest_streams) = streams.split_at_mut(grouped);
        let xs = xs.as_chunks_mut::<{ 4 * COUNT_BLOCK }>().0;
        let is = is.as_chunks_mut::<{ 4 * COUNT_BLOCK }>().0;
        for ((x, i), rngs) in xs.iter_mut().zip(is).zip(group_streams.chunks_exact_mut(4)) {
            let mut own: [Rng; 4] = std::array::from_fn(|g| rngs[g].clone());
            for k in 0..COUNT_BLOCK {
                for (g, rng) in own.iter_mut().enumerate() {
                    self.step(spread, &mut x[g * COUNT_BLOCK + k], &mut i[g * COUNT_BLOCK + k], rng);
                }
            }
            rngs.clone_from_slice(&own);
        }
        for ((x, i), rng) in rest.chunks_mut(COUNT_BLOCK).zip(rest_i.chunks_mut(COUNT_BLOCK)).zip(rest_streams) {
            let mut own = rng.clone();
            x.iter_mut().zip(i).for_each(|(x, i)| self.step(spread, x, i, &mut own));
            *rng = own;
        }
    }

    /// Adds `x` to the current `i` and advances it by one step; inlined into the blocks' loop
    /// (as a closure it was not: a call a neuron, a fifth of izhnet_n10000's step).
    #[inline(always)]
    fn step(&self, spread: f64, x: &mut f64, i: &mut f64, rng: &mut Rng) {
        if self.start {
            *x = self.mean + self.sigma * normal(rng);
        }
        *i += *x;
        *x = self.mean + (*x - self.mean) * self.decay + spread * normal(rng);
    }
}

impl Item {
    /// Whether step `n` lies in the component's window and its train is on.
    fn inside(&self, n: u64, dt: f64) -> bool {
        n >= self.on && n < self.off && self.component.train_on(n, dt)
    }

    /// The current and charge that a component the same for every neuron (a shape, a regular
    /// train or listed times through its kernel) adds in step `n`, advancing its state; `None`
    /// for the others.
    fn same_for_all(&mut self, n: u64, dt: f64, held: &impl Fn(Kernel) -> f64) -> Option<(f64, f64)> {
        let inside = self.inside(n, dt);
        match (&self.component, &mut self.state) {
            (c, State::Fixed) => Some(if inside { (c.shape_at(n as f64 * dt), 0.0) } else { (0.0, 0.0) }),
            (Component::Spikes { source, weight, .. }, State::Train { kernel, arriving }) => {
                arriving[0] = weight * deterministic_spikes(source, n, dt) as f64;
                let p = self.propagator.as_ref().expect("spike inputs have a propagator");
                let mut value = 0.0;
                kernel.advance(p, arriving, |_, v| value = v);
                let value = value * held(p.kernel());
                Some(if p.kernel() == Kernel::Delta { (0.0, value) } else { (value, 0.0) })
            }
            _ => None,
        }
    }
}

impl SpikeSource {
    /// Poisson trains are drawn; regular trains and listed times are the same for every neuron.
    pub fn is_random(&self) -> bool {
        matches!(self, SpikeSource::Poisson { .. } | SpikeSource::ModulatedPoisson { .. } | SpikeSource::Digits { .. })
    }
}

/// `n` independent Poisson processes drawn as one: their superposition is a Poisson process of
/// `n` times the rate whose events each belong to a neuron chosen uniformly. Drawing its
/// exponential intervals costs in proportion to the spikes. A modulated rate is drawn by
/// thinning at its peak rate (Lewis & Shedler 1979): exact, not a per-step approximation.
#[derive(Debug, Clone)]
pub(crate) struct PoissonPool {
    rng: Rng,
    /// Time of the next candidate event of the merged process (ms); NaN before the first step.
    next_ms: f64,
}

impl PoissonPool {
    pub(crate) fn new(rng: Rng) -> Self {
        Self { rng, next_ms: f64::NAN }
    }

    /// Calls `emit(i)` for every spike of neuron `i < n` in step `step` (from `step dt` to
    /// `(step + 1) dt`), in the order drawn.
    pub(crate) fn step(&mut self, source: &SpikeSource, step: u64, dt: f64, n: usize, mut emit: impl FnMut(usize)) {
        let (rate_hz, depth_hz, frequency_hz, start_ms, duration_ms) = match *source {
            SpikeSource::Poisson { rate_hz, start_ms, duration_ms } => (rate_hz, 0.0, 0.0, start_ms, duration_ms),
            SpikeSource::ModulatedPoisson { rate_hz, depth_hz, frequency_hz, start_ms, duration_ms } => {
                (rate_hz, depth_hz, frequency_hz, start_ms, duration_ms)
            }
            _ => unreachable!("only Poisson trains are pooled; digits are shown by `step_image`"),
        };
        let (t0, t1) = (step as f64 * dt, (step + 1) as f64 * dt);
        let peak_per_ms = (rate_hz + depth_hz.abs()) * 1e-3 * n as f64;
        let within = step >= step_of(start_ms, dt) && step < step_of(start_ms + duration_ms, dt);
        if !within || peak_per_ms <= 0.0 {
            // Memoryless: the process may restart whenever it is switched on again.
            self.next_ms = f64::NAN;
            return;
        }
        if self.next_ms.is_nan() || self.next_ms < t0 {
            self.next_ms = t0 + exponential(&mut self.rng) / peak_per_ms;
        }
        while self.next_ms < t1 {
            let keep = depth_hz == 0.0 || {
                let rate = rate_hz + depth_hz * (2.0 * std::f64::consts::PI * frequency_hz * self.next_ms * 1e-3).sin();
                self.rng_uniform() * (rate_hz + depth_hz.abs()) < rate
            };
            let i = index(&mut self.rng, n);
            if keep {
                emit(i);
            }
            self.next_ms += exponential(&mut self.rng) / peak_per_ms;
        }
    }

    /// The spikes of step `step` of a Poisson population whose neuron `i` fires at
    /// `weight(i) x rate_hz` (`weight` in [0, 1]; a rate of 0 switches it off): the merged
    /// process at the top rate, each event kept with its neuron's weight (thinning: exact).
    pub(crate) fn step_weighted(
        &mut self,
        (step, dt): (u64, f64),
        n: usize,
        rate_hz: f64,
        weight: impl Fn(usize) -> f64,
        mut emit: impl FnMut(usize),
    ) {
        let (t0, t1) = (step as f64 * dt, (step + 1) as f64 * dt);
        let peak_per_ms = rate_hz * 1e-3 * n as f64;
        if peak_per_ms <= 0.0 {
            self.next_ms = f64::NAN;
            return;
        }
        if self.next_ms.is_nan() || self.next_ms < t0 {
            self.next_ms = t0 + exponential(&mut self.rng) / peak_per_ms;
        }
        while self.next_ms < t1 {
            let i = index(&mut self.rng, n);
            if self.rng_uniform() < weight(i) {
                emit(i);
            }
            self.next_ms += exponential(&mut self.rng) / peak_per_ms;
        }
    }

    fn rng_uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }
}

/// Poisson inputs of a constant rate drawn as each neuron's count per step (an alias table:
/// constant time a neuron), for rates of a quarter of a spike per step and more, where drawing
/// the merged process's every spike would cost more. Each block of neurons has its own random
/// stream, so that blocks may be drawn apart (in parallel) with the same counts.
#[derive(Debug, Clone)]
struct Counts {
    table: PoissonTable,
    streams: Vec<Rng>,
}

/// Neurons per random stream of [`Counts`]: a team member's share of a population is whole
/// blocks.
const COUNT_BLOCK: usize = crate::team::SHARE_ALIGN;

impl Counts {
    /// Counts for `source` into `n` neurons at steps of `dt_ms`, if it is a constant Poisson
    /// rate whose mean per step makes them the cheaper way; streams from `(run seed, own seed)`.
    fn new(source: &SpikeSource, dt_ms: f64, n: usize, (seed, own): (u64, u64)) -> Option<Self> {
        let SpikeSource::Poisson { rate_hz, .. } = *source else { return None };
        let lambda = rate_hz * 1e-3 * dt_ms;
        (0.25..=PoissonTable::MAX_MEAN)
            .contains(&lambda)
            .then(|| Self { table: PoissonTable::new(lambda), streams: streams(seed, own, n.div_ceil(COUNT_BLOCK)) })
    }

    /// Whether `source`'s rate is on in step `step`.
    fn on(source: &SpikeSource, step: u64, dt: f64) -> bool {
        let SpikeSource::Poisson { start_ms, duration_ms, .. } = *source else { unreachable!("constant rates only") };
        step >= step_of(start_ms, dt) && step < step_of(start_ms + duration_ms, dt)
    }

    /// Adds `weight` times each neuron's count of step `step` to `arriving`, the blocks shared
    /// out over the `team`.
    fn step(&mut self, source: &SpikeSource, step: u64, dt: f64, arriving: &mut [f64], weight: f64, team: &Team) {
        if !Self::on(source, step, dt) {
            return;
        }
        // Whole blocks to each member.
        let size = team.size();
        let blocks: Vec<_> = (0..size).map(|k| share(self.streams.len(), k, size, 1)).collect();
        let neurons: Vec<_> = blocks
            .iter()
            .map(|b| (b.start * COUNT_BLOCK).min(arriving.len())..(b.end * COUNT_BLOCK).min(arriving.len()))
            .collect();
        let mut parts: Vec<_> = cut(arriving, &neurons).into_iter().zip(cut(&mut self.streams, &blocks)).collect();
        team.shares_mut(&mut parts, |parts| {
            parts.iter_mut().for_each(|(arriving, streams)| draw_blocks(&self.table, weight, arriving, streams))
        });
    }
}

/// Adds `weight` times a count per neuron to `arriving`, each block of [`COUNT_BLOCK`] neurons
/// (the last may be shorter) from its own stream of `streams`, four blocks at a time: their
/// streams' chains of random numbers are independent, so the CPU overlaps them. Each block
/// still takes its own stream's numbers in order, so the counts do not depend on how the
/// blocks are grouped or shared out.
fn draw_blocks(table: &PoissonTable, weight: f64, arriving: &mut [f64], streams: &mut [Rng]) {
    assert_eq!(arriving.len().div_ceil(COUNT_BLOCK), streams.len(), "a stream per block");
    let (whole, rest) = arriving.as_chunks_mut::<COUNT_BLOCK>();
    let draw = |blocks: &mut [[f64; COUNT_BLOCK]], streams: &mut [Rng]| match (blocks.try_into(), streams.try_into()) {
        (Ok(blocks), Ok(streams)) => draw_together::<4>(table, weight, blocks, streams),
        _ => blocks.iter_mut().zip(streams).for_each(|(block, rng)| draw_one(table, weight, block, rng)),
    };
    for (blocks, streams) in whole.chunks_mut(4).zip(streams.chunks_mut(4)) {
        draw(blocks, streams);
    }
    if let Some(rng) = streams.get_mut(whole.len()) {
        draw_one(table, weight, rest, rng);
    }
}

/// [`draw_blocks`] for `G` whole blocks, interleaved.
#[inline(always)]
fn draw_together<const G: usize>(
    table: &PoissonTable,
    weight: f64,
    blocks: &mut [[f64; COUNT_BLOCK]; G],
    streams: &mut [Rng; G],
) {
    let mut rngs = streams.clone();
    for i in 0..COUNT_BLOCK {
        for (block, rng) in blocks.iter_mut().zip(&mut rngs) {
            block[i] += weight * table.sample(rng) as f64;
        }
    }
    *streams = rngs;
}

/// [`draw_blocks`] for one block.
#[inline(always)]
fn draw_one(table: &PoissonTable, weight: f64, block: &mut [f64], rng: &mut Rng) {
    let mut own = rng.clone();
    block.iter_mut().for_each(|a| *a += weight * table.sample(&mut own) as f64);
    *rng = own;
}

/// Spikes of a regular train or listed times in step `n` (from `n dt` to `(n + 1) dt`).
pub(crate) fn deterministic_spikes(source: &SpikeSource, n: u64, dt: f64) -> u32 {
    match source {
        SpikeSource::Regular { rate_hz, start_ms, duration_ms } => {
            let within = n >= step_of(*start_ms, dt) && n < step_of(start_ms + duration_ms, dt);
            if *rate_hz <= 0.0 || !within {
                return 0;
            }
            // Spikes at start + k period fall in the step that rounds to their time.
            let period = 1000.0 / rate_hz;
            let first = ((n as f64 - 0.5) * dt - start_ms) / period;
            let last = ((n as f64 + 0.5) * dt - start_ms) / period;
            (last.ceil().max(0.0) - first.ceil().max(0.0)) as u32
        }
        SpikeSource::Times { times_ms } => times_ms.iter().filter(|&&s| step_of(s, dt) == n).count() as u32,
        SpikeSource::Poisson { .. } | SpikeSource::ModulatedPoisson { .. } | SpikeSource::Digits { .. } => {
            unreachable!("Poisson trains are drawn by a PoissonPool")
        }
    }
}
