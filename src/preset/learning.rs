//! What a learning preset asks for: the task and its parameters, as the preset stores and
//! validates them. Plain data: the learning tasks' runners give these types their
//! behaviour.

use serde::{Deserialize, Serialize};

use crate::dataset::Source;
use crate::network::spec::Dist;
use crate::param::Described;
use crate::stimulus::encode::Encoder;

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
    pub training: Training,
    pub simulation: SpikingRun,
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
    pub network: UnsupervisedParams,
    /// Memory devices holding the input weights, and how the rule drives them (Querlioz's rule
    /// replaces the normalisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<Box<crate::synapse::device::DeviceSynapse>>,
    #[serde(default)]
    pub train_images: Option<u32>,
    #[serde(default)]
    pub test_images: Option<u32>,
}

crate::param::described!(EncodingTask {
    duration_ms: f64, "duration" "ms" [1e-3, 10_000] = 200.0, "how long the image is shown as spike trains";
});

impl Learning {
    /// Whether the task ends with a test accuracy (what a learning sweep measures).
    pub fn has_test_set(&self) -> bool {
        matches!(self, Learning::Conversion(_) | Learning::Unsupervised(_))
    }

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
            Learning::Unsupervised(task) => {
                within("network", task.network.validate())?;
                task.device.as_ref().map_or(Ok(()), |d| within("device", d.validate()))
            }
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

crate::param::described!(Task {
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

/// How the network is trained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    pub hidden: u32,
    pub epochs: u32,
    pub batch: u32,
    pub learning_rate: f64,
    pub momentum: f64,
}

crate::param::described!(default Training {
    hidden: u32, "hidden units" "" [1, 4096] = 100, "ReLU units of the hidden layer";
    epochs: u32, "epochs" "" [1, 1000] = 40, "passes over the training images";
    batch: u32, "batch" "images" [1, 4096] = 32, "images per gradient step";
    learning_rate: f64, "learning rate" "" [1e-9, 10] = 0.05, "step size of stochastic gradient descent";
    momentum: f64, "momentum" "" [0, 0.999] = 0.9, "share of the previous step kept in the next";
});

impl Training {
    pub fn validate(&self) -> Result<(), (String, String)> {
        self.check_ranges()
    }
}

/// How the converted network is run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpikingRun {
    pub encoder: Encoder,
    pub dt_ms: f64,
    pub duration_ms: f64,
    /// Percentile of the activations used for normalisation (99.9 in Rueckauer et al. 2017).
    pub percentile: f64,
}

crate::param::described!(SpikingRun {
    dt_ms: f64, "dt" "ms" [1e-3, 10] = 1.0, "time step of the converted network";
    duration_ms: f64, "SNN time" "ms" [1e-3, 10_000] = 100.0, "how long each test image is shown to the spiking network";
    percentile: f64, "percentile" "%" [50.001, 100] = 99.9, "of the activations each layer is normalised by (99.9 in Rueckauer et al. 2017)";
});

impl SpikingRun {
    pub fn steps(&self) -> usize {
        (self.duration_ms / self.dt_ms).round() as usize
    }

    /// What one input spike counts for: the inverse of the spikes per step at full intensity.
    pub fn input_gain(&self) -> Result<f32, String> {
        let per_step = match self.encoder {
            Encoder::Poisson { max_rate_hz } | Encoder::Regular { max_rate_hz } => max_rate_hz * self.dt_ms * 1e-3,
            Encoder::Bernoulli { p_max, step_ms } => p_max * self.dt_ms / step_ms,
            _ => return Err("the conversion needs a rate code: Poisson, Bernoulli or regular".into()),
        };
        Ok((1.0 / per_step) as f32)
    }

    pub fn validate(&self) -> Result<(), (String, String)> {
        self.encoder.validate().map_err(|m| ("encoder".to_string(), m))?;
        self.input_gain().map_err(|m| ("encoder".to_string(), m))?;
        self.check_ranges()?;
        if self.duration_ms < self.dt_ms {
            return Err((
                "duration_ms".into(),
                format!("must be at least dt ({} ms), got {}", self.dt_ms, self.duration_ms),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// The network of Diehl and Cook (2015) and its training.
pub struct UnsupervisedParams {
    pub neurons: u32,
    pub epochs: u32,
    pub max_rate_hz: f64,
    pub rate_step_hz: f64,
    pub present_ms: f64,
    pub dt_ms: f64,
    pub tau_m_ms: f64,
    pub v_rest_mv: f64,
    pub v_reset_mv: f64,
    pub v_thresh_mv: f64,
    pub refractory_ms: f64,
    pub theta_plus_mv: f64,
    pub tau_theta_ms: f64,
    pub inhibition_mv: f64,
    pub tau_trace_ms: f64,
    pub eta_pre: f64,
    pub eta_post: f64,
    pub w_max: f64,
    pub weight_sum_mv: f64,
    pub min_spikes: u32,
}

crate::param::described!(default UnsupervisedParams {
    neurons: u32, "neurons" "" [1, 2000] = 100, "excitatory neurons, each learning one receptive field";
    epochs: u32, "epochs" "" [1, 100] = 1, "passes over the training images";
    max_rate_hz: f64, "input rate" "Hz" [1e-3, 1e4] = 64.0, "Poisson rate of a pixel at full intensity";
    rate_step_hz: f64, "rate step" "Hz" [0, 1e4] = 32.0, "added to the input rate when an image draws too few spikes";
    present_ms: f64, "presentation" "ms" [1e-3, 1e6] = 350.0, "how long each image is shown";
    dt_ms: f64, "dt" "ms" [1e-3, 5] = 0.5, "time step (below the presentation)";
    tau_m_ms: f64, "τ_m" "ms" [1e-3, 1e6] = 100.0, "membrane time constant";
    v_rest_mv: f64, "V_rest" "mV" [-200, 100] = -65.0, "resting potential";
    v_reset_mv: f64, "V_reset" "mV" [-200, 100] = -65.0, "potential after a spike";
    v_thresh_mv: f64, "V_th" "mV" [-200, 100] = -52.0, "threshold before adaptation (above rest and reset)";
    refractory_ms: f64, "t_ref" "ms" [0, 1e4] = 5.0, "refractory period";
    theta_plus_mv: f64, "θ+" "mV" [0, 1e3] = 0.4, "threshold rise per spike: homeostasis that lets every neuron win some digits";
    tau_theta_ms: f64, "τ_θ" "ms" [1e-3, 1e12] = 1e7, "decay of the threshold increase";
    inhibition_mv: f64, "inhibition" "mV" [0, 1e4] = 20.0, "lateral inhibition per spike of another neuron";
    tau_trace_ms: f64, "τ_trace" "ms" [1e-3, 1e6] = 20.0, "time constant of the STDP traces";
    eta_pre: f64, "η_pre" "" [0, 10] = 0.0001, "depression at a presynaptic spike";
    eta_post: f64, "η_post" "" [1e-12, 10] = 0.01, "potentiation at a postsynaptic spike";
    w_max: f64, "w_max" "mV" [1e-12, 1e6] = 1.0, "upper bound of an input weight";
    weight_sum_mv: f64, "Σw" "mV" [1e-12, 1e6] = 6.0, "the weights into each neuron are normalised to this sum";
    min_spikes: u32, "min spikes" "" [0, 1_000_000] = 5, "an image with fewer output spikes is shown again at a higher rate";
});

impl UnsupervisedParams {
    pub fn validate(&self) -> Result<(), (String, String)> {
        let fail = |field: &str, m: String| Err((field.to_string(), m));
        self.check_ranges()?;
        if self.dt_ms > self.present_ms || self.dt_ms > 5.0 {
            return fail("dt_ms", format!("must be at most 5 ms and below present_ms, got {}", self.dt_ms));
        }
        if self.v_thresh_mv <= self.v_reset_mv || self.v_thresh_mv <= self.v_rest_mv {
            return fail("v_thresh_mv", "must be above v_reset_mv and v_rest_mv".into());
        }
        Ok(())
    }
}
