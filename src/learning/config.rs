//! What a learning preset asks for: the task and its parameters, as the preset stores and
//! validates them. Neither this module nor the parameter types it names (from `ann`, `convert`,
//! `unsupervised`, `encode`, `data`) depend on the preset; the runners that take one
//! (`tempotron`, `headless`) depend on this, never the other way round.

use serde::{Deserialize, Serialize};

use super::data::Source;
use super::encode::Encoder;
use super::{ann, convert, unsupervised};
use crate::network::spec::Dist;
use crate::neuron::Described;

/// The task a learning preset runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Learning {
    /// EE746 STDP-A: a supervised, tempotron-like rule that makes the bench neuron fire for some
    /// spike patterns and stay silent for others.
    Tempotron(Task),
    /// An image turned into spike trains, and read back from them.
    Encoding(EncodingTask),
    /// A ReLU network trained on the images, converted to integrate-and-fire layers and run on
    /// the test images.
    Conversion(ConversionTask),
    /// Diehl and Cook (2015): STDP learns the images without labels; neurons are labelled after.
    Unsupervised(UnsupervisedTask),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodingTask {
    #[serde(default)]
    pub source: Source,
    /// Index of the image in the test set.
    pub image: u32,
    pub encoder: Encoder,
    pub duration_ms: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversionTask {
    #[serde(default)]
    pub source: Source,
    pub training: ann::Training,
    pub simulation: convert::SpikingRun,
    /// Alternate ordinary epochs with epochs on the spiking network's measured activations.
    #[serde(default)]
    pub bootstrap: bool,
    /// Use only the first this many training / test images (all when absent).
    #[serde(default)]
    pub train_images: Option<u32>,
    #[serde(default)]
    pub test_images: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnsupervisedTask {
    #[serde(default)]
    pub source: Source,
    pub network: unsupervised::Params,
    #[serde(default)]
    pub train_images: Option<u32>,
    #[serde(default)]
    pub test_images: Option<u32>,
}

crate::neuron::param::described!(EncodingTask {
    duration_ms: f64, "duration" "ms" [1e-3, 10_000] = 200.0, "how long the image is shown as spike trains";
});

impl Learning {
    /// Every range; the error is `(dotted field path below learning, message)`.
    pub fn validate(&self, dt_ms: f64) -> Result<(), (String, String)> {
        let within = |prefix: &str, r: Result<(), (String, String)>| r.map_err(|(f, m)| (format!("{prefix}.{f}"), m));
        match self {
            Learning::Tempotron(task) => task.validate(dt_ms),
            Learning::Encoding(task) => {
                task.encoder.validate().map_err(|m| ("encoder".to_string(), m))?;
                task.check_ranges()
            }
            Learning::Conversion(task) => {
                within("training", task.training.validate())?;
                within("simulation", task.simulation.validate())
            }
            Learning::Unsupervised(task) => within("network", task.network.validate()),
        }
    }

    /// Uses images from `source` (the tempotron task has no images).
    pub fn set_source(&mut self, source: Source) -> Result<(), String> {
        match self {
            Learning::Tempotron(_) => return Err("the tempotron task does not use images".into()),
            Learning::Encoding(task) => task.source = source,
            Learning::Conversion(task) => task.source = source,
            Learning::Unsupervised(task) => task.source = source,
        }
        Ok(())
    }

    /// A short name for the CLI and the window.
    pub fn kind(&self) -> &'static str {
        match self {
            Learning::Tempotron(_) => "tempotron",
            Learning::Encoding(_) => "encoding",
            Learning::Conversion(_) => "conversion",
            Learning::Unsupervised(_) => "unsupervised",
        }
    }
}

/// EE746 STDP-A: patterns of input spike trains, the rule's constants, and which patterns
/// should make the neuron fire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Input synapses onto the neuron.
    pub synapses: u32,
    /// Poisson rate of every input during a pattern, in Hz.
    pub rate_hz: f64,
    /// Length of one pattern (a trial), in ms.
    pub duration_ms: f64,
    /// Initial weights (dimensionless), clipped into `[w_min, w_max]`.
    pub weights: Dist,
    /// Current scale `I0`, in the neuron's current unit (pA for AdEx).
    pub i0: f64,
    /// The kernel's `tau` in ms, for the synaptic current and the learning window alike.
    pub tau_ms: f64,
    /// Learning rate γ.
    pub gamma: f64,
    pub w_min: f64,
    pub w_max: f64,
    /// Weight updates at most; the run stops earlier once every pattern is answered right.
    pub max_iterations: u32,
    pub patterns: Vec<Pattern>,
}

/// One pattern to learn: its spike trains come from the run's seed and `seed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    pub name: String,
    pub seed: u64,
    /// Should the neuron fire (at least once) for this pattern, or stay silent?
    pub fire: bool,
}

crate::neuron::param::described!(Task {
    synapses: u32, "synapses" "" [1, 10_000] = 100, "input synapses onto the neuron";
    rate_hz: f64, "input rate" "Hz" [1e-3, 1e4] = 1.0, "Poisson rate of every input during a pattern";
    duration_ms: f64, "pattern" "ms" [1e-3, 1e5] = 500.0, "length of one pattern (a trial); at least dt";
    i0: f64, "I0" "pA" [1e-6, 1e6] = 1.0, "current scale: synapse k injects I0 w_k (e^(-t/τ) - e^(-t/τs)) per input spike";
    tau_ms: f64, "τ" "ms" [1e-3, 1e4] = 15.0, "time constant of the synaptic kernel and of the learning window (τs = τ/4)";
    gamma: f64, "γ (learning rate)" "" [0, 10] = 1.0, "Δw_k = ±γ w_k (e^(-Δt/τ) - e^(-Δt/τs)), Δt from synapse k's nearest earlier input spike";
    w_min: f64, "w_min" "" [0, 1e9] = 0.0, "lower bound of the weights";
    w_max: f64, "w_max" "" [0, 1e9] = 1e9, "upper bound of the weights (above w_min)";
    max_iterations: u32, "max updates" "" [0, 1000] = 100, "weight updates at most; the run stops once every pattern is answered right";
});

impl Task {
    pub fn validate(&self, dt_ms: f64) -> Result<(), (String, String)> {
        let fail = |field: &str, message: String| Err((field.to_string(), message));
        self.check_ranges()?;
        if self.duration_ms < dt_ms {
            return fail("duration_ms", format!("must be at least dt ({dt_ms} ms), got {}", self.duration_ms));
        }
        if self.w_max <= self.w_min {
            return fail("w_max", format!("must be above w_min ({}), got {}", self.w_min, self.w_max));
        }
        self.weights.check().map_err(|m| ("weights".to_string(), m))?;
        if self.max_iterations > 1000 {
            return fail("max_iterations", format!("must be at most 1000, got {}", self.max_iterations));
        }
        if self.patterns.is_empty() {
            return fail("patterns", "the task needs at least one pattern".into());
        }
        for (k, p) in self.patterns.iter().enumerate() {
            if self.patterns[..k].iter().any(|q| q.name == p.name) {
                return fail(&format!("patterns.{k}.name"), format!("`{}` names two patterns", p.name));
            }
        }
        Ok(())
    }
}
