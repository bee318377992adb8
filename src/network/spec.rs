//! The network a preset describes: populations, their synapse types, projections and inputs.
//!
//! # Conventions
//! - **Synapse types belong to the postsynaptic population** (like NEST's receptor ports): each
//!   is a kernel and, for a conductance synapse, a reversal potential. Projections name the type
//!   they feed. All synapses of one type onto a neuron add linearly into one state.
//! - **Signs**: a current-based weight is the current's own sign: positive excites, negative
//!   inhibits (`weight x K(t)` in the target model's current unit; a delta synapse delivers the
//!   charge `weight x 1 ms` within one step). A conductance weight is a conductance (model
//!   current unit per mV, nS for pA models) and must be >= 0; the reversal potential decides
//!   whether it excites. Weights drawn from a normal distribution are clipped at 0, so a draw
//!   never flips a synapse's sign.
//! - **Delays** are axonal, in ms, and rounded to the step grid: a spike emitted during step `n`
//!   reaches its targets at the start of step `n + D`, `D = max(1, round(delay / dt))`.
//! - Neurons are numbered globally over all populations in preset order.

use std::collections::BTreeMap;

use rand::RngExt;
use serde::{Deserialize, Serialize};

pub use super::population::{Adaptation, Reset};
use crate::neuron::NeuronModel;
use crate::random::{Rng, normal};
use crate::stimulus::{SpikeSource, Stimulus};
use crate::synapse::Kernel;

/// Neurons are indexed by `u32`, and so are a projection's synapses (its rows' offsets): the
/// only fixed limits. How large a network may be otherwise is what the machine's memory holds
/// ([`NetworkSpec::footprint`], checked when it is built).
const MAX_INDEX: f64 = u32::MAX as f64;

/// Bytes per synapse in each storage form: its target in the compressed rows (4), a weight of
/// its own when the weights vary (4, `f32`), a delay of its own when the delays vary (2, `u16`),
/// and when it learns its `f64` weight, its place among the synapses onto its target and its
/// presynaptic trace's index (16).
pub const SYNAPSE_BYTES: f64 = 4.0;
pub const OWN_WEIGHT_BYTES: f64 = 4.0;
pub const OWN_DELAY_BYTES: f64 = 2.0;
pub const PLASTIC_BYTES: f64 = 16.0;
/// Per neuron: its state and parameter columns, its inputs and its spike bookkeeping (at most).
const NEURON_BYTES: f64 = 160.0;

/// A network's size in memory ([`NetworkSpec::footprint`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Footprint {
    pub synapses: f64,
    /// The synapses as stored, rows included.
    pub synapse_bytes: f64,
    /// Everything, at the build's peak.
    pub bytes: f64,
}

impl Footprint {
    /// Whether it fits in `free` bytes of memory (`None`: unknown, so it is tried); if not, both
    /// numbers and what to change.
    pub fn fits(&self, free: Option<f64>, n_neurons: u64) -> Result<(), String> {
        let gib = |b: f64| format!("{:.1} GiB", b / (1u64 << 30) as f64);
        match free {
            Some(free) if self.bytes > free => Err(format!(
                "this network needs about {} of memory ({:.3e} synapses, {n_neurons} neurons), and {} is free: \
                 make it smaller (fewer or smaller populations, lower in-degrees or probabilities, or a \
                 sweep's --scale) or run it where there is more memory",
                gib(self.bytes),
                self.synapses,
                gib(free)
            )),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    pub populations: Vec<PopulationSpec>,
    #[serde(default)]
    pub projections: Vec<Projection>,
    /// Stimuli into (parts of) populations; random components are independent per neuron.
    #[serde(default)]
    pub inputs: Vec<Input>,
    /// Neurons whose variables are recorded (global indices); the bench views show the first.
    #[serde(default = "first_neuron")]
    pub record: Vec<u32>,
}

fn first_neuron() -> Vec<u32> {
    vec![0]
}

/// Excitatory and inhibitory populations are coloured apart in the raster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Role {
    #[default]
    Excitatory,
    Inhibitory,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    pub name: String,
    pub size: u32,
    #[serde(default)]
    pub role: Role,
    /// The neurons' model (not used by a spike source).
    #[serde(default)]
    pub neuron: NeuronModel,
    /// A population of spike sources instead of neurons: each emits this train independently
    /// (Poisson, modulated Poisson, regular, or listed times), at the start of its step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SpikeSource>,
    /// Per-neuron parameter values around `neuron`'s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spread: Vec<Spread>,
    /// How V is reset after a spike: to the model's reset value, or by subtraction.
    #[serde(default, skip_serializing_if = "is_default")]
    pub reset: Reset,
    /// An adaptive threshold: each spike raises the neuron's threshold, which then decays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adaptation: Option<Adaptation>,
    /// Initial values by state variable key or synapse type name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub initial: BTreeMap<String, Dist>,
    /// The synapse types of this population, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub synapses: BTreeMap<String, SynapseType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynapseType {
    pub kernel: Kernel,
    /// `Some(E)`: conductance-based, `I = g (E - V)`; `None`: current-based.
    #[serde(default)]
    pub reversal_mv: Option<f64>,
}

/// How one parameter varies from neuron to neuron.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Spread {
    /// `value = base + scale r^power`, with one `r ~ U(0, 1)` per neuron shared by every
    /// `Shared` entry of the population (Izhikevich 2003: `c = -65 + 15 r^2`, `d = 8 - 6 r^2`).
    Shared { param: String, scale: f64, power: f64 },
    /// `value ~ U(low, high)` independently.
    Uniform { param: String, low: f64, high: f64 },
    /// `value ~ N(base, sd)` independently.
    Normal { param: String, sd: f64 },
    /// `value = low + (high - low) i / n` for neuron `i` of `n`: a sweep across the population
    /// (Brette et al. 2007's HH benchmark gives neuron `i` the current 0.7 nA i / n).
    Ramp { param: String, low: f64, high: f64 },
    /// One value per neuron, listed (a converted network's biases).
    Values { param: String, values: Vec<f64> },
}

impl Spread {
    pub fn param(&self) -> &str {
        match self {
            Spread::Shared { param, .. }
            | Spread::Uniform { param, .. }
            | Spread::Normal { param, .. }
            | Spread::Ramp { param, .. }
            | Spread::Values { param, .. } => param,
        }
    }
}

/// A number drawn per neuron or per synapse.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Dist {
    Constant(f64),
    Uniform {
        low: f64,
        high: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    /// A whole number from `low` to `high` inclusive, each equally likely.
    Integers {
        low: i64,
        high: i64,
    },
}

impl Dist {
    pub fn draw(&self, rng: &mut Rng) -> f64 {
        match *self {
            Dist::Constant(v) => v,
            Dist::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            Dist::Normal { mean, sd } => mean + sd * normal(rng),
            Dist::Integers { low, high } => (low + (rng.random::<u64>() % (high - low + 1) as u64) as i64) as f64,
        }
    }
    /// A draw that keeps the sign of the distribution's centre (weights never flip sign).
    pub fn draw_signed(&self, rng: &mut Rng) -> f64 {
        let v = self.draw(rng);
        if self.mean() >= 0.0 { v.max(0.0) } else { v.min(0.0) }
    }
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Constant(v) => v,
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::Normal { mean, .. } => mean,
            Dist::Integers { low, high } => 0.5 * (low + high) as f64,
        }
    }
    /// The largest value it draws (a normal distribution's mean + 5 sd).
    pub fn upper(&self) -> f64 {
        match *self {
            Dist::Constant(v) => v,
            Dist::Uniform { high, .. } => high,
            Dist::Normal { mean, sd } => mean + 5.0 * sd,
            Dist::Integers { high, .. } => high as f64,
        }
    }
    pub fn is_constant(&self) -> bool {
        match *self {
            Dist::Constant(_) => true,
            Dist::Uniform { low, high } => low == high,
            Dist::Normal { sd, .. } => sd == 0.0,
            Dist::Integers { low, high } => low == high,
        }
    }
    /// Smallest and largest value a draw can take (normal: +-5 sd).
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Dist::Constant(v) => (v, v),
            Dist::Uniform { low, high } => (low, high),
            Dist::Normal { mean, sd } => (mean - 5.0 * sd, mean + 5.0 * sd),
            Dist::Integers { low, high } => (low as f64, high as f64),
        }
    }
    pub(crate) fn check(&self) -> Result<(), String> {
        let ok = match *self {
            Dist::Constant(v) => v.is_finite(),
            Dist::Uniform { low, high } => low.is_finite() && high.is_finite() && low <= high,
            Dist::Normal { mean, sd } => mean.is_finite() && sd.is_finite() && sd >= 0.0,
            Dist::Integers { low, high } => low <= high,
        };
        if ok { Ok(()) } else { Err(format!("{self:?} is not a valid distribution (finite, low <= high, sd >= 0)")) }
    }
}

/// Which pairs a projection connects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Connectivity {
    AllToAll,
    /// Neuron `i` to neuron `i` (equal sizes).
    OneToOne,
    /// Each ordered pair independently with probability `p`.
    FixedProbability {
        p: f64,
    },
    /// Every target gets exactly `k` sources drawn uniformly.
    FixedInDegree {
        k: u32,
    },
    /// Every source gets exactly `k` targets drawn uniformly.
    FixedOutDegree {
        k: u32,
    },
    /// `n` synapses in all, each an independent pair drawn uniformly (multapses included), as
    /// NEST's `fixed_total_number` (Potjans & Diesmann's rule).
    FixedTotalNumber {
        n: u64,
    },
    /// Listed synapses `(pre, post, weight, delay_ms)`, indices within the populations; the
    /// projection's `weight` and `delay_ms` are not used.
    Explicit {
        synapses: Vec<(u32, u32, f64, f64)>,
    },
}

impl Connectivity {
    /// Expected number of synapses (the size check before building, the network diagram).
    pub fn expected(&self, n_pre: f64, n_post: f64) -> f64 {
        match self {
            Connectivity::AllToAll => n_pre * n_post,
            Connectivity::OneToOne => n_pre.min(n_post),
            Connectivity::FixedProbability { p } => n_pre * n_post * p,
            Connectivity::FixedInDegree { k } => n_post * *k as f64,
            Connectivity::FixedOutDegree { k } => n_pre * *k as f64,
            Connectivity::FixedTotalNumber { n } => *n as f64,
            Connectivity::Explicit { synapses } => synapses.len() as f64,
        }
    }

    pub fn name(&self) -> String {
        match self {
            Connectivity::AllToAll => "all to all".into(),
            Connectivity::OneToOne => "one to one".into(),
            Connectivity::FixedProbability { .. } => "pairs with probability p".into(),
            Connectivity::FixedInDegree { .. } => "k sources per target".into(),
            Connectivity::FixedOutDegree { .. } => "k targets per source".into(),
            Connectivity::FixedTotalNumber { .. } => "n synapses in all".into(),
            Connectivity::Explicit { synapses } => format!("{} listed synapses", synapses.len()),
        }
    }

    /// A rule of each kind a user can pick (listed synapses are written, not picked), with a
    /// parameter to start from.
    pub fn choices() -> [Connectivity; 6] {
        [
            Connectivity::AllToAll,
            Connectivity::OneToOne,
            Connectivity::FixedProbability { p: 0.1 },
            Connectivity::FixedInDegree { k: 10 },
            Connectivity::FixedOutDegree { k: 10 },
            Connectivity::FixedTotalNumber { n: 1000 },
        ]
    }
}

/// Whether two options both hold a value, of the same enum variant.
pub fn same_variant<T>(a: &Option<T>, b: &Option<T>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if std::mem::discriminant(a) == std::mem::discriminant(b))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Projection {
    pub from: String,
    pub to: String,
    /// The synapse type of `to` this projection feeds.
    pub synapse: String,
    pub rule: Connectivity,
    #[serde(default = "unit_weight")]
    pub weight: Dist,
    /// Axonal delay (rounded to steps, at least one step).
    #[serde(default = "no_delay")]
    pub delay_ms: Dist,
    /// Allow a neuron to connect to itself (only matters when `from == to`).
    #[serde(default)]
    pub autapses: bool,
    /// Allow more than one synapse per pair (fixed in- and out-degree rules; a fixed total
    /// number always draws them, and needs this set).
    #[serde(default)]
    pub multapses: bool,
    /// An STDP rule makes these synapses plastic (others keep their weights).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plasticity: Option<crate::synapse::plasticity::StdpRule>,
    /// Plastic weights into each target scaled to a fixed sum at regular times (Diehl & Cook
    /// 2015's normalisation: the neurons compete for a fixed total). With a device, each device
    /// is programmed to its share instead (program and verify, its pulses counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalise: Option<Normalise>,
    /// Memory devices hold the plastic weights: the rule's changes become pulses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<crate::synapse::device::DeviceSynapse>,
}

/// Every `every_ms` of simulated time, the plastic weights into each target neuron are scaled
/// to sum to `total` (then clipped at the rule's `w_max`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Normalise {
    pub total: f64,
    pub every_ms: f64,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn unit_weight() -> Dist {
    Dist::Constant(1.0)
}
fn no_delay() -> Dist {
    Dist::Constant(0.0)
}

/// A stimulus into neurons `first..end` of a population (all when `neurons` is `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub population: String,
    #[serde(default)]
    pub neurons: Option<(u32, u32)>,
    pub stimulus: Stimulus,
}

impl NetworkSpec {
    /// The network with `s` (0 < s <= 1) times the neurons: every population's size and every
    /// fixed in- or out-degree times `s`, every weight (but one-to-one's) divided by `s`, so that
    /// each neuron's mean synaptic input stays as it was. Its fluctuations grow as `1/sqrt(s)` and
    /// a smaller network synchronises more readily, so a result made with it states the scaling.
    /// Connection probabilities stay (the in-degree shrinks with the population); listed
    /// synapses and whole-number weights cannot be scaled.
    pub fn scaled(&self, s: f64) -> Result<NetworkSpec, String> {
        if !(s > 0.0 && s <= 1.0) {
            return Err(format!("the scale must be in (0, 1], got {s}"));
        }
        let times = |n: u32| ((n as f64 * s).round() as u32).max(1);
        let mut new = self.clone();
        for pop in &mut new.populations {
            pop.size = times(pop.size);
        }
        for (k, proj) in new.projections.iter_mut().enumerate() {
            match &mut proj.rule {
                Connectivity::FixedInDegree { k } | Connectivity::FixedOutDegree { k } => *k = times(*k),
                // Both ends shrink: the same probability per pair is s^2 as many synapses.
                Connectivity::FixedTotalNumber { n } => *n = ((*n as f64 * s * s).round() as u64).max(1),
                Connectivity::Explicit { .. } => {
                    return Err(format!("projection {k} lists its synapses: it cannot be scaled"));
                }
                Connectivity::OneToOne => continue,
                Connectivity::AllToAll | Connectivity::FixedProbability { .. } => {}
            }
            proj.weight = match proj.weight {
                Dist::Constant(w) => Dist::Constant(w / s),
                Dist::Uniform { low, high } => Dist::Uniform { low: low / s, high: high / s },
                Dist::Normal { mean, sd } => Dist::Normal { mean: mean / s, sd: sd / s },
                Dist::Integers { .. } => {
                    return Err(format!("projection {k} has whole-number weights: they cannot be scaled"));
                }
            };
        }
        for input in &mut new.inputs {
            if let Some((first, end)) = &mut input.neurons {
                (*first, *end) = ((*first as f64 * s).round() as u32, times(*end));
            }
        }
        let n = new.n_neurons();
        new.record.retain(|&r| u64::from(r) < n);
        if new.record.is_empty() {
            new.record.push(0);
        }
        Ok(new)
    }

    /// Whether `new` differs from this network only in what a running network takes at once,
    /// keeping its state: a population's parameters (the same model) or its spike trains' (the
    /// same kind of train), a projection's weights
    /// (the connections drawn before them stay the same) and its plasticity's parameters (the
    /// same rule) and normalisation, an input's stimulus. Anything else (sizes, models,
    /// connection rules and their p or k, delays, synapse types, names) needs a rebuild.
    pub fn live_change(&self, new: &NetworkSpec) -> bool {
        if (self.populations.len(), self.projections.len(), self.inputs.len())
            != (new.populations.len(), new.projections.len(), new.inputs.len())
        {
            return false;
        }
        // `new` with every live field taken from `self`: what remains must be equal.
        let mut rest = new.clone();
        for (mine, theirs) in self.populations.iter().zip(&mut rest.populations) {
            if mine.neuron.kind() == theirs.neuron.kind() {
                theirs.neuron = mine.neuron;
            }
            if same_variant(&mine.source, &theirs.source) {
                theirs.source = mine.source.clone();
            }
        }
        for (mine, theirs) in self.projections.iter().zip(&mut rest.projections) {
            // A weight drawn per synapse shifts the delays drawn after it.
            if mine.delay_ms.is_constant() || mine.weight.is_constant() == theirs.weight.is_constant() {
                theirs.weight = mine.weight;
            }
            if same_variant(&mine.plasticity, &theirs.plasticity) {
                theirs.plasticity = mine.plasticity;
            }
            theirs.normalise = mine.normalise;
        }
        for (mine, theirs) in self.inputs.iter().zip(&mut rest.inputs) {
            theirs.stimulus = mine.stimulus.clone();
        }
        rest == *self
    }

    pub fn population(&self, name: &str) -> Option<usize> {
        self.populations.iter().position(|p| p.name == name)
    }
    /// The synapses projection `proj` is expected to make (0 for an unknown population).
    pub fn expected_synapses(&self, proj: &Projection) -> f64 {
        let size = |name: &str| self.population(name).map_or(0.0, |p| self.populations[p].size as f64);
        proj.rule.expected(size(&proj.from), size(&proj.to))
    }
    pub fn n_neurons(&self) -> u64 {
        self.populations.iter().map(|p| p.size as u64).sum()
    }

    /// What this network takes in memory, estimated before it is built: its synapses in their
    /// storage forms ([`SYNAPSE_BYTES`] and after), their rows, its neurons, and per synapse type
    /// a delay ring of an `f32` per neuron and step of delay and two `f64` traces; building also
    /// holds the largest projection's pairs (8 bytes each) before compressing them.
    pub fn footprint(&self, dt_ms: f64) -> Footprint {
        let size = |name: &str| self.population(name).map_or(0.0, |p| self.populations[p].size as f64);
        let (mut synapses, mut stored, mut largest) = (0.0, 0.0, 0.0f64);
        for proj in &self.projections {
            let n = self.expected_synapses(proj);
            let per = SYNAPSE_BYTES
                + if proj.weight.is_constant() { 0.0 } else { OWN_WEIGHT_BYTES }
                + if proj.delay_ms.is_constant() { 0.0 } else { OWN_DELAY_BYTES }
                + if proj.plasticity.is_some() { PLASTIC_BYTES } else { 0.0 }
                + proj.device.as_ref().map_or(0.0, |d| d.device.bytes_per_synapse());
            (synapses, largest) = (synapses + n, largest.max(n));
            stored += n * per + 4.0 * (size(&proj.from) + 1.0);
        }
        let mut bytes = stored;
        for pop in &self.populations {
            let n = pop.size as f64;
            bytes += n * NEURON_BYTES;
            for name in pop.synapses.keys() {
                let into = self.projections.iter().filter(|p| p.to == pop.name && &p.synapse == name);
                let slots = into.map(|p| (p.delay_ms.upper() / dt_ms).round().max(1.0) + 1.0).fold(1.0, f64::max);
                bytes += n * (4.0 * slots + 16.0);
            }
        }
        Footprint { synapses, synapse_bytes: stored, bytes: bytes + 8.0 * largest }
    }
    /// Global index of the first neuron of each population.
    pub fn offsets(&self) -> Vec<u32> {
        let mut at = 0;
        self.populations
            .iter()
            .map(|p| {
                let start = at;
                at += p.size;
                start
            })
            .collect()
    }

    /// Whether global neuron `g` belongs to a spike-source population.
    pub fn is_source(&self, g: u32) -> bool {
        let offsets = self.offsets();
        let p = offsets.partition_point(|&o| o <= g).saturating_sub(1);
        self.populations.get(p).is_some_and(|pop| pop.source.is_some())
    }

    /// Every range and reference; the error is `(dotted field path below network, message)`.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let fail = |field: String, message: String| Err((field, message));
        if self.populations.is_empty() {
            return fail("populations".into(), "a network needs at least one population".into());
        }
        if self.n_neurons() as f64 > MAX_INDEX {
            return fail(
                "populations".into(),
                format!("{} neurons; at most {MAX_INDEX} (a 32-bit index)", self.n_neurons()),
            );
        }
        for (k, pop) in self.populations.iter().enumerate() {
            let at = |field: &str| format!("populations.{k}.{field}");
            if self.populations[..k].iter().any(|p| p.name == pop.name) {
                return fail(at("name"), format!("`{}` names two populations", pop.name));
            }
            if pop.size == 0 {
                return fail(at("size"), "must be at least 1".into());
            }
            if let Err(m) = pop.neuron.validate() {
                return fail(at("neuron"), m);
            }
            if let Some(source) = &pop.source {
                if !pop.spread.is_empty() || !pop.synapses.is_empty() || !pop.initial.is_empty() {
                    let m = "a spike source has no spread, synapses or initial values".to_string();
                    return fail(at("source"), m);
                }
                if let Err(m) = source_check(source) {
                    return fail(at("source"), m);
                }
                if matches!(source, SpikeSource::Digits { .. }) && pop.size != 64 {
                    return fail(at("size"), format!("digits need one source per pixel: 64, not {}", pop.size));
                }
            }
            if let Some(adaptation) = &pop.adaptation {
                adaptation.validate().or_else(|m| fail(at("adaptation"), m))?;
            }
            if (pop.reset == Reset::Subtract || pop.adaptation.is_some()) && !pop.neuron.resets() {
                let m = format!("the {} model has no reset to subtract from or adapt", pop.neuron.kind().name());
                return fail(at("reset"), m);
            }
            for (j, spread) in pop.spread.iter().enumerate() {
                if let Spread::Values { values, .. } = spread
                    && values.len() != pop.size as usize
                {
                    let m = format!("{} values for {} neurons", values.len(), pop.size);
                    return fail(at(&format!("spread.{j}.values")), m);
                }
                if pop.neuron.get(spread.param()).is_none() {
                    let keys: Vec<_> = pop.neuron.specs().iter().map(|s| s.key).collect();
                    let m = format!("the model has no parameter `{}`; it has {}", spread.param(), keys.join(", "));
                    return fail(at(&format!("spread.{j}")), m);
                }
            }
            for (name, synapse) in &pop.synapses {
                if let Some(tau) = synapse.kernel.tau_ms()
                    && !(tau > 0.0 && tau.is_finite())
                {
                    return fail(at(&format!("synapses.{name}.kernel")), format!("tau_ms must be > 0, got {tau}"));
                }
                if synapse.reversal_mv.is_some_and(|e| !e.is_finite()) {
                    return fail(at(&format!("synapses.{name}.reversal_mv")), "must be finite".into());
                }
            }
            for (key, dist) in &pop.initial {
                let known = pop.neuron.vars().iter().any(|v| v.key == key) || pop.synapses.contains_key(key);
                if !known {
                    let m = format!("`{key}` is neither a variable of the model nor a synapse type of `{}`", pop.name);
                    return fail(at(&format!("initial.{key}")), m);
                }
                dist.check().or_else(|m| fail(at(&format!("initial.{key}")), m))?;
            }
        }
        for (k, proj) in self.projections.iter().enumerate() {
            let at = |field: &str| format!("projections.{k}.{field}");
            let Some(from) = self.population(&proj.from) else {
                return fail(at("from"), format!("no population is named `{}`", proj.from));
            };
            let Some(to) = self.population(&proj.to) else {
                return fail(at("to"), format!("no population is named `{}`", proj.to));
            };
            if self.populations[to].source.is_some() {
                return fail(at("to"), format!("`{}` is a spike source: it receives no synapses", proj.to));
            }
            let (n_pre, n_post) = (self.populations[from].size, self.populations[to].size);
            let Some(synapse) = self.populations[to].synapses.get(&proj.synapse) else {
                let names: Vec<_> = self.populations[to].synapses.keys().cloned().collect();
                let m = format!("`{}` has no synapse type `{}` (it has: {})", proj.to, proj.synapse, names.join(", "));
                return fail(at("synapse"), m);
            };
            proj.weight.check().or_else(|m| fail(at("weight"), m))?;
            proj.delay_ms.check().or_else(|m| fail(at("delay_ms"), m))?;
            if proj.delay_ms.bounds().0 < 0.0 && !matches!(proj.delay_ms, Dist::Normal { .. }) {
                return fail(at("delay_ms"), "delays must be >= 0 ms".into());
            }
            if proj.delay_ms.bounds().1 > 1000.0 {
                return fail(at("delay_ms"), "delays must be at most 1000 ms".into());
            }
            let conductance = synapse.reversal_mv.is_some();
            if let Some(rule) = &proj.plasticity {
                rule.validate().or_else(|m| fail(at("plasticity"), m))?;
                if !(0.0..=rule.w_max()).contains(&proj.weight.mean()) {
                    let m = format!(
                        "plastic weights live in [0, w_max = {}]; the weight's mean is {}",
                        rule.w_max(),
                        proj.weight.mean()
                    );
                    return fail(at("weight"), m);
                }
            }
            if let Some(device) = &proj.device {
                if proj.plasticity.is_none() {
                    return fail(at("device"), "a device holds a plastic weight: add a plasticity rule".into());
                }
                device.validate().or_else(|(field, m)| fail(at(&format!("device.{field}")), m))?;
            }
            if let Some(n) = &proj.normalise {
                if proj.plasticity.is_none() {
                    return fail(at("normalise"), "only plastic weights are normalised: add a plasticity rule".into());
                }
                if !(n.total > 0.0 && n.total.is_finite() && n.every_ms > 0.0 && n.every_ms.is_finite()) {
                    return fail(at("normalise"), format!("total and every_ms must be finite and > 0, got {n:?}"));
                }
            }
            if conductance && proj.weight.mean() < 0.0 {
                return fail(
                    at("weight"),
                    "a conductance weight must be >= 0; the reversal potential sets the sign".into(),
                );
            }
            let self_excluded = from == to && !proj.autapses;
            let available = |n: u32| if self_excluded { n - 1 } else { n };
            match &proj.rule {
                Connectivity::FixedProbability { p } if !(0.0..=1.0).contains(p) => {
                    return fail(at("rule.p"), format!("must be in [0, 1], got {p}"));
                }
                Connectivity::OneToOne if n_pre != n_post => {
                    return fail(at("rule"), format!("one-to-one needs equal sizes, got {n_pre} and {n_post}"));
                }
                Connectivity::FixedInDegree { k } if !proj.multapses && *k > available(n_pre) => {
                    let m = format!("{k} distinct sources per target, but only {} are available", available(n_pre));
                    return fail(at("rule.k"), m);
                }
                Connectivity::FixedOutDegree { k } if !proj.multapses && *k > available(n_post) => {
                    let m = format!("{k} distinct targets per source, but only {} are available", available(n_post));
                    return fail(at("rule.k"), m);
                }
                Connectivity::FixedInDegree { k } | Connectivity::FixedOutDegree { k }
                    if *k > 0 && available(n_pre.min(n_post)) == 0 =>
                {
                    return fail(at("rule.k"), "no partner is available (a single neuron without autapses)".into());
                }
                Connectivity::FixedTotalNumber { .. } if !proj.multapses => {
                    let m = "a fixed total number draws each synapse's pair independently, so a pair may repeat \
                             (as NEST's fixed_total_number): set multapses: true";
                    return fail(at("multapses"), m.into());
                }
                Connectivity::FixedTotalNumber { n } if *n > 0 && available(n_pre.min(n_post)) == 0 => {
                    return fail(at("rule.n"), "no partner is available (a single neuron without autapses)".into());
                }
                Connectivity::Explicit { synapses } => {
                    for (j, &(pre, post, weight, delay)) in synapses.iter().enumerate() {
                        let m = if pre >= n_pre || post >= n_post {
                            format!("({pre}, {post}) is outside {n_pre} x {n_post}")
                        } else if !weight.is_finite() || (conductance && weight < 0.0) {
                            format!("weight {weight} must be finite (and >= 0 for a conductance)")
                        } else if !(0.0..=1000.0).contains(&delay) {
                            format!("delay {delay} ms must be in [0, 1000]")
                        } else {
                            continue;
                        };
                        return fail(at(&format!("rule.synapses.{j}")), m);
                    }
                }
                _ => {}
            }
            let expected = proj.rule.expected(n_pre as f64, n_post as f64);
            if expected > MAX_INDEX {
                return fail(
                    at("rule"),
                    format!(
                        "about {expected:.3e} synapses; a projection has at most {MAX_INDEX} (a 32-bit index): split it"
                    ),
                );
            }
        }
        for (k, input) in self.inputs.iter().enumerate() {
            let Some(p) = self.population(&input.population) else {
                return fail(
                    format!("inputs.{k}.population"),
                    format!("no population is named `{}`", input.population),
                );
            };
            if self.populations[p].source.is_some() {
                let m = format!("`{}` is a spike source: it takes no stimulus", input.population);
                return fail(format!("inputs.{k}.population"), m);
            }
            if let Some((first, end)) = input.neurons
                && !(first < end && end <= self.populations[p].size)
            {
                let m = format!("({first}, {end}) must satisfy first < end <= {}", self.populations[p].size);
                return fail(format!("inputs.{k}.neurons"), m);
            }
            input
                .stimulus
                .validate()
                .or_else(|(i, field, m)| fail(format!("inputs.{k}.stimulus.components.{i}.{field}"), m))?;
        }
        let n = self.n_neurons();
        if let Some((j, &r)) = self.record.iter().enumerate().find(|(_, r)| **r as u64 >= n) {
            return fail(format!("record.{j}"), format!("neuron {r} does not exist (the network has {n})"));
        }
        if let Some((j, &r)) = self.record.iter().enumerate().find(|(_, r)| self.is_source(**r)) {
            return fail(format!("record.{j}"), format!("neuron {r} is a spike source: it has no variables to record"));
        }
        Ok(())
    }
}

impl NetworkSpec {
    /// What the Exact scheme cannot integrate exactly, named: a model not linear in V, an alpha
    /// or double-exponential current synapse, or a per-neuron membrane time constant (the
    /// exponential synapses' propagators are the population's).
    pub fn check_exact(&self) -> Result<(), String> {
        for pop in self.populations.iter().filter(|p| p.source.is_none()) {
            if pop.neuron.linear().is_none() {
                return Err(format!(
                    "population `{}` runs the {} model, not linear",
                    pop.name,
                    pop.neuron.kind().name()
                ));
            }
            for (name, synapse) in &pop.synapses {
                let exact_kernel = matches!(synapse.kernel, Kernel::Delta | Kernel::Exponential { .. });
                if synapse.reversal_mv.is_none() && !exact_kernel {
                    return Err(format!("synapse `{name}` of `{}` has a {} kernel", pop.name, synapse.kernel.name()));
                }
            }
            if let Some(s) = pop.spread.iter().find(|s| matches!(s.param(), "c_pf" | "g_l_ns")) {
                return Err(format!("`{}` varies {} from neuron to neuron", pop.name, s.param()));
            }
        }
        Ok(())
    }
}

/// A source's rates and times must be finite and non-negative.
fn source_check(source: &SpikeSource) -> Result<(), String> {
    let values: Vec<f64> = match source {
        SpikeSource::Poisson { rate_hz, start_ms, duration_ms }
        | SpikeSource::Regular { rate_hz, start_ms, duration_ms } => {
            vec![*rate_hz, *start_ms, *duration_ms]
        }
        SpikeSource::ModulatedPoisson { rate_hz, depth_hz, frequency_hz, start_ms, duration_ms } => {
            vec![*rate_hz, *depth_hz, *frequency_hz, *start_ms, *duration_ms]
        }
        SpikeSource::Times { times_ms } => times_ms.clone(),
        SpikeSource::Digits { max_rate_hz, present_ms, rest_ms } => {
            if *present_ms <= 0.0 {
                return Err(format!("present_ms must be > 0, got {present_ms}"));
            }
            vec![*max_rate_hz, *present_ms, *rest_ms]
        }
    };
    match values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
        Some(v) => Err(format!("rates and times must be finite and >= 0, got {v}")),
        None => Ok(()),
    }
}
