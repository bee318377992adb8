//! A preset's own map over one or two of its network's parameters (`spikelab sweep`): the
//! axes, the simulated time per point and the scale the network runs at.

use serde::{Deserialize, Serialize};

use super::Preset;

/// One axis of the grid: `n` values from `from` to `to` (in the axis's own units, e.g.
/// Brunel's g), each written as `scale x value` to every key (preset paths as `--set` takes
/// them, so that one axis can move, say, both inhibitory weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    pub label: String,
    pub keys: Vec<String>,
    pub from: f64,
    pub to: f64,
    pub n: usize,
    #[serde(default = "unit", skip_serializing_if = "is_unit")]
    pub scale: f64,
}

fn unit() -> f64 {
    1.0
}
fn is_unit(x: &f64) -> bool {
    *x == 1.0
}

impl Axis {
    /// Parses `KEY[,KEY...]=FROM:TO:N` (the keys are the label, the scale 1).
    pub fn parse(text: &str) -> Result<Self, String> {
        let usage = || {
            format!(
                "`{text}`: expected KEY[,KEY...]=FROM:TO:N, e.g. network.inputs.0.stimulus.components.0.Spikes.source.Poisson.rate_hz=10000:40000:4"
            )
        };
        let (keys, range) = text.split_once('=').ok_or_else(usage)?;
        let parts: Vec<&str> = range.split(':').collect();
        let [from, to, n] = parts.as_slice() else { return Err(usage()) };
        let number = |s: &str| s.trim().parse::<f64>().map_err(|_| usage());
        let n = n.trim().parse::<usize>().map_err(|_| usage())?;
        let keys: Vec<String> = keys.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
        let axis = Self { label: keys.join(","), keys, from: number(from)?, to: number(to)?, n, scale: 1.0 };
        axis.validate().map_err(|m| format!("`{text}`: {m}"))?;
        Ok(axis)
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.keys.is_empty() {
            return Err("needs at least one key".into());
        }
        if !(1..=1000).contains(&self.n) {
            return Err(format!("n must be 1 to 1000, got {}", self.n));
        }
        match [self.from, self.to, self.scale].iter().find(|v| !v.is_finite()) {
            Some(v) => Err(format!("from, to and scale must be finite, got {v}")),
            None => Ok(()),
        }
    }

    /// Writes `scale x value` to every key of `preset` (validated as `--set` is).
    pub(crate) fn apply(&self, preset: &mut Preset, value: f64) -> Result<(), String> {
        self.keys.iter().try_for_each(|key| preset.set_path(key, &(self.scale * value).to_string()))
    }
}

/// A preset's own map: its axes and how long each point runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    pub x: Axis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<Axis>,
    /// Simulated time per point, and the transient left out of its measures.
    pub duration_ms: f64,
    pub warmup_ms: f64,
    /// The network run at this fraction of its size ([`crate::network::spec::NetworkSpec::scaled`]).
    #[serde(default = "unit", skip_serializing_if = "is_unit")]
    pub scale: f64,
}

impl Sweep {
    /// Checks the axes and the timing, and that every key names a value of `preset`.
    pub fn validate(&self, preset: &Preset) -> Result<(), (String, String)> {
        for (name, axis) in [("x", Some(&self.x)), ("y", self.y.as_ref())] {
            let Some(axis) = axis else { continue };
            axis.validate().map_err(|m| (name.to_string(), m))?;
            for (k, key) in axis.keys.iter().enumerate() {
                preset.check_path(key).map_err(|m| (format!("{name}.keys.{k}"), m))?;
            }
        }
        self.timing().validate().map_err(|m| ("duration_ms".to_string(), m))?;
        if let Some(network) = &preset.network {
            network.scaled(self.scale).map_err(|m| ("scale".to_string(), m))?;
        }
        Ok(())
    }

    pub fn timing(&self) -> Timing {
        Timing { duration_ms: self.duration_ms, warmup_ms: self.warmup_ms }
    }
}

/// How long each point runs, and the transient left out of its measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    pub duration_ms: f64,
    pub warmup_ms: f64,
}

impl Default for Timing {
    fn default() -> Self {
        Self { duration_ms: 500.0, warmup_ms: 100.0 }
    }
}

impl Timing {
    pub fn validate(&self) -> Result<(), String> {
        if self.warmup_ms >= 0.0 && self.duration_ms > self.warmup_ms && self.duration_ms <= 1e6 {
            Ok(())
        } else {
            Err(format!("duration_ms ({}) must exceed warmup_ms ({}) >= 0", self.duration_ms, self.warmup_ms))
        }
    }
}
