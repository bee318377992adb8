//! Learning tasks: a preset's `learning` section replaces the free-running simulation with a
//! task that presents inputs, measures the response and updates weights, trial by trial.

pub mod ann;
pub mod classifier;
pub mod convert;
pub mod data;
pub mod encode;
pub mod headless;
pub mod tempotron;
pub mod unsupervised;

use serde::{Deserialize, Serialize};

use data::Source;
use encode::Encoder;

/// The task a learning preset runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Learning {
    /// EE746 STDP-A: a supervised, tempotron-like rule that makes the bench neuron fire for some
    /// spike patterns and stay silent for others.
    Tempotron(tempotron::Task),
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

impl Learning {
    /// Every range; the error is `(dotted field path below learning, message)`.
    pub fn validate(&self, dt_ms: f64) -> Result<(), (String, String)> {
        let within = |prefix: &str, r: Result<(), (String, String)>| r.map_err(|(f, m)| (format!("{prefix}.{f}"), m));
        match self {
            Learning::Tempotron(task) => task.validate(dt_ms),
            Learning::Encoding(task) => {
                task.encoder.validate().map_err(|m| ("encoder".to_string(), m))?;
                if !(task.duration_ms > 0.0 && task.duration_ms <= 10_000.0) {
                    return Err(("duration_ms".into(), format!("must be in (0, 10000] ms, got {}", task.duration_ms)));
                }
                Ok(())
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

/// The share of positions where two lists of answers agree (0 for empty lists).
pub fn fraction_same(a: &[u8], b: &[u8]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len().max(1) as f64
}

/// `confusion[true][predicted]` counts.
pub fn confusion(predictions: &[u8], labels: &[u8]) -> [[u32; 10]; 10] {
    let mut confusion = [[0u32; 10]; 10];
    for (&p, &l) in predictions.iter().zip(labels) {
        confusion[l as usize][p as usize] += 1;
    }
    confusion
}

/// The first `n` images of a set, or all of it.
pub(crate) fn limit(data: &data::Dataset, n: Option<u32>) -> data::Dataset {
    match n {
        Some(n) => data.head(n as usize),
        None => data.clone(),
    }
}
