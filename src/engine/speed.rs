//! How fast the engine runs relative to the wall clock.

use serde::{Deserialize, Serialize};

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
