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
use crate::team::Team;

#[derive(Debug, Clone)]
enum State {
    /// A deterministic shape, the same for every neuron.
    Fixed,
    /// A deterministic spike train (regular, listed times) through its kernel: one state serves
    /// every neuron.
    Train {
        kernel: KernelStates,
        arriving: [f64; 1],
    },
    Noise {
        x: Vec<f64>,
        started: bool,
        decay: f64,
        rng: Rng,
    },
    /// Independent Poisson trains, one per neuron, through the kernel: drawn as one merged
    /// process, or as each neuron's count per step where that is cheaper (`counts`).
    Poisson {
        pool: PoissonPool,
        counts: Option<Counts>,
        kernel: KernelStates,
        arriving: Vec<f64>,
    },
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
                        (State::Noise { x: vec![0.0; n], started: false, decay, rng: stream(seed, *s) }, None)
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
        let t = n as f64 * dt;
        for item in &mut self.items {
            let inside = n >= item.on && n < item.off && item.component.train_on(n, dt);
            match (&item.component, &mut item.state) {
                (c, State::Fixed) => {
                    if inside {
                        let value = c.shape_at(t);
                        current.iter_mut().for_each(|i| *i += value);
                    }
                }
                (Component::Noise { mean, sigma, .. }, State::Noise { x, started, decay, rng }) => {
                    if inside {
                        // Start in the stationary distribution, then the exact OU update.
                        if !*started {
                            x.iter_mut().for_each(|x| *x = mean + sigma * normal(rng));
                            *started = true;
                        }
                        let spread = sigma * (1.0 - *decay * *decay).sqrt();
                        for (x, i) in x.iter_mut().zip(current.iter_mut()) {
                            *i += *x;
                            *x = mean + (*x - mean) * *decay + spread * normal(rng);
                        }
                    }
                }
                (Component::Spikes { source, weight, .. }, State::Train { kernel, arriving }) => {
                    arriving[0] = weight * deterministic_spikes(source, n, dt) as f64;
                    let p = item.propagator.as_ref().expect("spike inputs have a propagator");
                    let mut value = 0.0;
                    kernel.advance(p, arriving, |_, v| value = v);
                    let out = if p.kernel() == Kernel::Delta { &mut *charge } else { &mut *current };
                    let value = value * held(p.kernel());
                    out.iter_mut().for_each(|o| *o += value);
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

/// Neurons per random stream of [`Counts`].
const COUNT_BLOCK: usize = 1024;

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

    /// Adds `weight` times each neuron's count of step `step` to `arriving`, the blocks shared
    /// out over the `team`.
    fn step(&mut self, source: &SpikeSource, step: u64, dt: f64, arriving: &mut [f64], weight: f64, team: &Team) {
        let SpikeSource::Poisson { start_ms, duration_ms, .. } = *source else { unreachable!("constant rates only") };
        if step < step_of(start_ms, dt) || step >= step_of(start_ms + duration_ms, dt) {
            return;
        }
        let mut blocks: Vec<_> = arriving.chunks_mut(COUNT_BLOCK).zip(&mut self.streams).collect();
        team.shares_mut(&mut blocks, |blocks| draw_blocks(&self.table, weight, blocks));
    }
}

/// Adds `weight` times a count per neuron to each block from its own stream, four blocks (then
/// two, then one) at a time: their streams' chains of random numbers are independent, so the
/// CPU overlaps them. Each block still takes its own stream's numbers in order: the counts are
/// those of one block after another.
fn draw_blocks(table: &PoissonTable, weight: f64, blocks: &mut [(&mut [f64], &mut Rng)]) {
    let mut fours = blocks.chunks_exact_mut(4);
    fours.by_ref().for_each(|group| draw_together::<4>(table, weight, group));
    let mut twos = fours.into_remainder().chunks_exact_mut(2);
    twos.by_ref().for_each(|group| draw_together::<2>(table, weight, group));
    twos.into_remainder().iter_mut().for_each(|block| draw_together::<1>(table, weight, std::slice::from_mut(block)));
}

/// [`draw_blocks`] for a group of `G` blocks: interleaved over their common length, then each
/// block's rest.
#[inline(always)]
fn draw_together<const G: usize>(table: &PoissonTable, weight: f64, group: &mut [(&mut [f64], &mut Rng)]) {
    let common = group.iter().map(|(block, _)| block.len()).min().unwrap_or(0);
    let mut rngs: [Rng; G] = std::array::from_fn(|g| group[g].1.clone());
    for i in 0..common {
        for (g, rng) in rngs.iter_mut().enumerate() {
            group[g].0[i] += weight * table.sample(rng) as f64;
        }
    }
    for ((block, own), mut rng) in group.iter_mut().zip(rngs) {
        for a in &mut block[common..] {
            *a += weight * table.sample(&mut rng) as f64;
        }
        **own = rng;
    }
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
