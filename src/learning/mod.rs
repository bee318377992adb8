//! Learning tasks: a preset's `learning` section replaces the free-running simulation with a
//! task that presents inputs, measures the response and updates weights, trial by trial.

pub mod tempotron;

use serde::{Deserialize, Serialize};

/// The task a learning preset runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Learning {
    /// EE746 STDP-A: a supervised, tempotron-like rule that makes the bench neuron fire for some
    /// spike patterns and stay silent for others.
    Tempotron(tempotron::Task),
}

impl Learning {
    /// Every range; the error is `(dotted field path below learning, message)`.
    pub fn validate(&self, dt_ms: f64) -> Result<(), (String, String)> {
        match self {
            Learning::Tempotron(task) => task.validate(dt_ms),
        }
    }
}
