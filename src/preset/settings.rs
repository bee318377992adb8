//! The settings of a run and of its view: how the engine steps, how fast the window runs it,
//! and what it does at the end. Described here once; presets, the engine and the window use them.

use serde::{Deserialize, Serialize};

use crate::integrate::{Integrator, SpikeTiming};

/// How the simulation steps and what a headless run records.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunSettings {
    pub dt_ms: f64,
    /// Length of a headless run (`spikelab run`), in ms.
    pub duration_ms: f64,
    pub integrator: Integrator,
    /// Spike times interpolated inside the step, or on the step grid.
    pub spike_timing: SpikeTiming,
    pub seed: u64,
    /// Record the trace every this many steps.
    pub record_every: u32,
    /// Threads a network's step is shared out over: spike delivery, Poisson drive, neuron
    /// update (results do not depend on it). The window leaves one of the machine's cores to
    /// its drawing.
    pub threads: u32,
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            dt_ms: 0.1,
            duration_ms: 500.0,
            integrator: Integrator::Rk4,
            spike_timing: SpikeTiming::Interpolated,
            seed: 1,
            record_every: 1,
            threads: 1,
        }
    }
}

/// What the window does when the run reaches `run.duration_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum AtEnd {
    /// Keep simulating (the traces scroll).
    #[default]
    Continue,
    /// Pause at the end of the protocol.
    Pause,
    /// Replay the protocol from t = 0 as a new run: slider changes show against the same input.
    Loop,
}

impl AtEnd {
    pub const ALL: [AtEnd; 3] = [AtEnd::Continue, AtEnd::Pause, AtEnd::Loop];
    pub fn name(self) -> &'static str {
        match self {
            AtEnd::Continue => "continue",
            AtEnd::Pause => "pause",
            AtEnd::Loop => "loop",
        }
    }
}

/// What the window shows; ignored by headless runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ViewSettings {
    /// Width of the scrolling trace window, in ms.
    pub window_ms: f64,
    pub speed: Speed,
    /// Plot the hidden variables (u) under the membrane potential.
    pub show_hidden: bool,
    /// At the end of the protocol (`run.duration_ms`).
    pub at_end: AtEnd,
}

impl Default for ViewSettings {
    fn default() -> Self {
        Self { window_ms: 500.0, speed: Speed::RealTime(1.0), show_hidden: true, at_end: AtEnd::Continue }
    }
}

/// How fast the engine runs relative to the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Speed {
    /// Simulated ms per wall-clock ms: 1.0 is real time, 0.01 slow motion for class.
    RealTime(f64),
    /// As fast as the machine allows.
    Max,
}

impl Speed {
    pub const MIN_FACTOR: f64 = 1e-3;
    pub const MAX_FACTOR: f64 = 1e3;

    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Speed::RealTime(f) if !(Self::MIN_FACTOR..=Self::MAX_FACTOR).contains(&f) => {
                Err(format!("real-time factor must be in [{}, {}], got {f}", Self::MIN_FACTOR, Self::MAX_FACTOR))
            }
            _ => Ok(()),
        }
    }

    pub fn label(&self) -> String {
        match *self {
            Speed::RealTime(f) => format!("{f}x real time"),
            Speed::Max => "as fast as possible".into(),
        }
    }
}
