//! The learning state of a plastic projection and how an arriving row or a postsynaptic spike
//! changes its weights.

use super::*;
use crate::synapse::device::mapping::{pulse_count, querlioz_pulses};
use crate::synapse::device::{Cells, DeviceSynapse, Mapping};

/// The learning state of a plastic projection. Traces are kept against one clock per side, so
/// reading any of them costs a multiplication, not an exponential.
#[derive(Debug, Clone)]
pub(super) struct Plastic {
    pub(super) rule: StdpRule,
    /// Per synapse, in the order of `layout`.
    pub(super) weights: Vec<f64>,
    pub(super) layout: Layout,
    /// The synapses onto target `j` are places `offsets[j]..offsets[j + 1]` in target order;
    /// `trace_of` gives each its presynaptic trace.
    pub(super) offsets: Vec<u32>,
    pub(super) trace_of: Vec<u32>,
    /// Presynaptic traces per source neuron, or per synapse (row order) when the delays vary
    /// (then each synapse sees its spikes arrive at its own time); postsynaptic traces per target.
    pub(super) pre: Vec<Traces>,
    pub(super) post: Vec<Traces>,
    pub(super) pre_clock: TraceClock,
    pub(super) post_clock: TraceClock,
    pub(super) per_synapse: bool,
    /// What arrives in each step of the delay ring (`max delay + 1` slots): source neurons, or
    /// synapses when the delays vary.
    pub(super) pending: Vec<Vec<u32>>,
    /// The slot of `pending` of the present step.
    pub(super) now: usize,
    /// The weights into each target are scaled to this sum every so many steps.
    pub(super) normalise: Option<(f64, u64)>,
    /// Whether the weights learn (a task freezes them to test what was learned).
    pub(super) learning: bool,
    /// Memory devices holding the weights (`weights` then keeps what they read as).
    pub(super) device: Option<Devices>,
}

/// The memory devices of a plastic projection, one per synapse in the order of `weights`.
#[derive(Debug, Clone)]
pub(super) struct Devices {
    cells: Cells,
    mapping: Mapping,
    /// The weight one pulse is worth on average: a requested change over it is a pulse count.
    pulse_w: f64,
    rounding: Rng,
    /// Querlioz's rule: when a spike last arrived at each presynaptic trace's entry.
    last_arrival: Vec<f64>,
}

impl Devices {
    /// What synapse `at` reads as, without read noise (what the weights keep).
    fn weight(&self, at: usize, t_ms: f64, w_max: f64) -> f64 {
        self.cells.device().weight(self.cells.conductance_us(at, t_ms), w_max)
    }
}

/// Where the weights are kept. Each spike of a source runs along its row (depression), each
/// spike of a target along the synapses onto it (potentiation); one of the two is contiguous.
#[derive(Debug, Clone)]
pub(super) enum Layout {
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
    pub(super) fn of_row(&self, s: usize) -> usize {
        match self {
            Layout::Rows { .. } => s,
            Layout::Targets { place } => place[s] as usize,
        }
    }
    /// The place of the `k`-th synapse in target order.
    pub(super) fn of_target(&self, k: usize) -> usize {
        match self {
            Layout::Rows { incoming } => incoming[k] as usize,
            Layout::Targets { .. } => k,
        }
    }
}

impl Plastic {
    pub(super) fn new(rule: StdpRule, c: &Connections, n_post: usize) -> Self {
        let per_synapse = c.delays.is_some();
        let by_target = (0..c.csr.n_pre()).flat_map(|pre| {
            let start = c.csr.offsets()[pre] as usize;
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
            device: None,
        }
    }

    /// Puts the weights on memory devices, each programmed to its weight at the start (a
    /// precise write: no pulses counted); `seed` draws the devices and their noise.
    pub(super) fn attach(&mut self, synapse: &DeviceSynapse, seed: u64) {
        let (w_max, device) = (self.rule.w_max(), &synapse.device);
        let mut cells = Cells::new(device, self.weights.len(), seed);
        for (at, w) in self.weights.iter_mut().enumerate() {
            cells.set(at, device.conductance_of(*w, w_max));
            *w = device.weight(cells.conductance_us(at, 0.0), w_max);
        }
        self.device = Some(Devices {
            cells,
            mapping: synapse.mapping,
            pulse_w: device.pulse_weight(w_max),
            rounding: stream(seed, 0x20D),
            last_arrival: vec![f64::NEG_INFINITY; self.pre.len()],
        });
    }

    /// Pulses the devices have taken since the start.
    pub(super) fn device_pulses(&self) -> u64 {
        self.device.as_ref().map_or(0, |d| d.cells.total_pulses())
    }

    /// The present weight of synapse `s` (row order).
    pub(super) fn weight(&self, s: usize) -> f64 {
        self.weights[self.layout.of_row(s)]
    }

    /// Scales the weights into each target to sum to `total`, each clipped at `w_max`. Devices
    /// are each programmed to their share at `t_ms` (program and verify, the pulses counted).
    pub(super) fn normalise_to(&mut self, total: f64, t_ms: f64) {
        let w_max = self.rule.w_max();
        for j in 0..self.offsets.len() - 1 {
            let places = (self.offsets[j] as usize..self.offsets[j + 1] as usize).map(|k| self.layout.of_target(k));
            let sum: f64 = places.clone().map(|at| self.weights[at]).sum();
            if sum > 0.0 {
                for at in places {
                    self.weights[at] = (self.weights[at] * total / sum).min(w_max);
                    if let Some(d) = &mut self.device {
                        d.cells.program(at, d.cells.device().conductance_of(self.weights[at], w_max), t_ms);
                        self.weights[at] = d.weight(at, t_ms, w_max);
                    }
                }
            }
        }
    }

    /// Another rule of the same kind: the weights stay (within its bound), the traces start
    /// again on the new time constants.
    pub(super) fn set_rule(&mut self, rule: StdpRule) {
        let w_max = rule.w_max();
        self.weights.iter_mut().for_each(|w| *w = w.clamp(0.0, w_max));
        if let Some(d) = &mut self.device {
            // The same conductances, read against the new bound.
            d.pulse_w = d.cells.device().pulse_weight(w_max);
            for (at, w) in self.weights.iter_mut().enumerate() {
                *w = d.weight(at, d.cells.cell(at).programmed_ms, w_max);
            }
        }
        (self.rule, self.pre_clock, self.post_clock) =
            (rule, TraceClock::new(rule.pre_taus()), TraceClock::new(rule.post_taus()));
        self.pre.fill(Traces::default());
        self.post.fill(Traces::default());
    }

    /// No trace, nothing in flight.
    pub(super) fn rest(&mut self) {
        self.pre.fill(Traces::default());
        self.post.fill(Traces::default());
        self.pending.iter_mut().for_each(Vec::clear);
        if let Some(d) = &mut self.device {
            d.last_arrival.fill(f64::NEG_INFINITY);
        }
    }

    /// The synapses (row indices) an entry of `pending` stands for: a source's row, or one
    /// synapse. Either way the entry also indexes its presynaptic trace.
    pub(super) fn synapses(&self, c: &Connections, entry: usize) -> std::ops::Range<usize> {
        if self.per_synapse { entry..entry + 1 } else { c.csr.row_range(entry) }
    }

    /// Source `pre` spiked in the present step: its row (or each synapse) waits for its delay.
    pub(super) fn spiked(&mut self, c: &Connections, pre: usize) {
        let slots = self.pending.len();
        if self.per_synapse {
            for s in c.csr.offsets()[pre] as usize..c.csr.offsets()[pre + 1] as usize {
                self.pending[slot_after(self.now, c.delay_of(s), slots)].push(s as u32);
            }
        } else {
            self.pending[slot_after(self.now, c.delay, slots)].push(pre as u32);
        }
    }

    /// The spikes arriving at step `tick` (time `t_ms`): depression, then each synapse's weight
    /// into the receptor's slot for this step.
    #[inline(always)]
    pub(super) fn arrivals(&mut self, c: &Connections, tick: u64, t_ms: f64, r: &mut Receptor) {
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
        if let Some(mut device) = self.device.take() {
            self.device_arrivals(&mut device, c, &arriving, t_ms, ring);
            self.device = Some(device);
            arriving.clear();
            self.pending[slot] = arriving;
            return;
        }
        let factors = self.learning.then(|| (self.pre_clock.factors(t_ms), self.post_clock.factors(t_ms)));
        for &entry in &arriving {
            let entry = entry as usize;
            let synapses = self.synapses(c, entry);
            let row = Row::of(&mut self.weights, &self.layout, c, synapses);
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

    /// Spikes arriving on devices: the rule's depression as pulses (or, under Querlioz's rule,
    /// only the arrival noted), then the row delivered: as the weights hold it, or read again
    /// synapse by synapse when reads drift or are noisy.
    fn device_arrivals(&mut self, dev: &mut Devices, c: &Connections, arriving: &[u32], t_ms: f64, ring: &mut [f32]) {
        let w_max = self.rule.w_max();
        let (f_pre, f_post) = (self.pre_clock.factors(t_ms), self.post_clock.factors(t_ms));
        let v = dev.cells.device().variation;
        let (noisy, drifting) = (v.read_noise > 0.0, v.drift_nu > 0.0);
        for &entry in arriving {
            let entry = entry as usize;
            if self.learning {
                match dev.mapping {
                    Mapping::Pulses { rounding } => {
                        let depression = self.rule.depression(self.pre[entry].at(f_pre));
                        for s in self.synapses(c, entry) {
                            let post = self.post[c.csr.targets()[s] as usize].at(f_post)[0];
                            let n = pulse_count(depression.additive(post) / dev.pulse_w, rounding, &mut dev.rounding);
                            if n != 0 {
                                let at = self.layout.of_row(s);
                                dev.cells.pulses(at, n, t_ms);
                                self.weights[at] = dev.weight(at, t_ms, w_max);
                            }
                        }
                    }
                    Mapping::Querlioz { .. } => dev.last_arrival[entry] = t_ms,
                }
                self.pre[entry].spike(f_pre, self.rule.nearest());
            }
            if !(noisy || drifting) {
                let synapses = self.synapses(c, entry);
                Row::of(&mut self.weights, &self.layout, c, synapses).deliver(ring);
                continue;
            }
            for s in self.synapses(c, entry) {
                let at = self.layout.of_row(s);
                let w = dev.weight(at, t_ms, w_max);
                self.weights[at] = w;
                ring[c.csr.targets()[s] as usize] +=
                    (if noisy { dev.cells.read_weight(at, t_ms, w_max) } else { w }) as f32;
            }
        }
    }

    /// Target `post` fired at `t_ms`: potentiation of its incoming synapses.
    pub(super) fn post_spike(&mut self, post: usize, t_ms: f64) {
        if !self.learning {
            return;
        }
        if let Some(mut device) = self.device.take() {
            self.device_post_spike(&mut device, post, t_ms);
            self.device = Some(device);
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

impl Plastic {
    /// Target `post` fired on devices: each incoming synapse's pulses, from the rule's
    /// potentiation or Querlioz's rule (up within T_LTP of the last arrival, down otherwise).
    fn device_post_spike(&mut self, dev: &mut Devices, post: usize, t_ms: f64) {
        let w_max = self.rule.w_max();
        let (f_pre, f_post) = (self.pre_clock.factors(t_ms), self.post_clock.factors(t_ms));
        let before = self.post[post].at(f_post);
        for k in self.offsets[post] as usize..self.offsets[post + 1] as usize {
            let (at, trace) = (self.layout.of_target(k), self.trace_of[k] as usize);
            let n = match dev.mapping {
                Mapping::Pulses { rounding } => {
                    let request = self.rule.additive_on_post(self.pre[trace].at(f_pre), before);
                    pulse_count(request / dev.pulse_w, rounding, &mut dev.rounding)
                }
                Mapping::Querlioz { t_ltp_ms } => querlioz_pulses(t_ms - dev.last_arrival[trace], t_ltp_ms),
            };
            dev.cells.pulses(at, n, t_ms);
            self.weights[at] = dev.weight(at, t_ms, w_max);
        }
        self.post[post].spike(f_post, self.rule.nearest());
    }
}

/// The synapses of one arriving row: contiguous onto every target in order (a dense row), or
/// each found at its place.
pub(super) enum Row<'a> {
    Dense(&'a mut [f64]),
    Placed { weights: &'a mut [f64], place: &'a [u32], targets: &'a [u32] },
}

impl<'a> Row<'a> {
    /// The synapses `synapses` (row indices) of a projection whose weights are kept in `layout`.
    pub(super) fn of(
        weights: &'a mut [f64],
        layout: &'a Layout,
        c: &'a Connections,
        synapses: std::ops::Range<usize>,
    ) -> Row<'a> {
        match layout {
            Layout::Rows { .. } => Row::Dense(&mut weights[synapses]),
            Layout::Targets { place } => {
                Row::Placed { weights, place: &place[synapses.clone()], targets: &c.csr.targets()[synapses] }
            }
        }
    }

    /// Adds each synapse's weight into its target's slot of `ring`.
    #[inline(always)]
    pub(super) fn deliver(self, ring: &mut [f32]) {
        match self {
            Row::Dense(weights) => {
                for (at, &w) in ring.iter_mut().zip(weights.iter()) {
                    *at += w as f32;
                }
            }
            Row::Placed { weights, place, targets } => {
                for (&at, &t) in place.iter().zip(targets) {
                    ring[t as usize] += weights[at as usize] as f32;
                }
            }
        }
    }

    /// Depresses each synapse by `update(w, its target's first trace)` (the traces read with
    /// their clock's factors), then delivers its new weight.
    #[inline(always)]
    pub(super) fn depress(self, update: impl Fn(f64, f64) -> f64, (post, f): (&[Traces], [f64; 2]), ring: &mut [f32]) {
        match self {
            Row::Dense(weights) => {
                for ((w, p), at) in weights.iter_mut().zip(post).zip(ring) {
                    *w = update(*w, p.at(f)[0]);
                    *at += *w as f32;
                }
            }
            Row::Placed { weights, place, targets } => {
                for (&at, &t) in place.iter().zip(targets) {
                    let w = update(weights[at as usize], post[t as usize].at(f)[0]);
                    weights[at as usize] = w;
                    ring[t as usize] += w as f32;
                }
            }
        }
    }
}
