//! A preset's own map over one or two of its parameters (`spikelab sweep`): the axes, and for a
//! network the simulated time per point and the scale it runs at, for a learning task the seeds
//! each point is trained from and the published results to compare with.

use serde::{Deserialize, Serialize};

use super::Preset;

/// One axis of the grid: `n` values from `from` to `to`, or the listed `values` (in the axis's
/// own units, e.g. Brunel's g or a device's levels), each written as `scale x value` to every
/// key (preset paths as `--set` takes them, so that one axis can move, say, both inhibitory
/// weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    pub label: String,
    pub keys: Vec<String>,
    #[serde(default)]
    pub from: f64,
    #[serde(default)]
    pub to: f64,
    #[serde(default)]
    pub n: usize,
    /// The points themselves, in place of `from`, `to` and `n` (e.g. levels 2, 4, ..., 256).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
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
    /// `n` evenly spaced values from `from` to `to` on `key`, labelled by the key.
    pub fn on(key: &str, from: f64, to: f64, n: usize) -> Self {
        Self { label: key.to_string(), keys: vec![key.to_string()], from, to, n, values: Vec::new(), scale: 1.0 }
    }

    /// Parses `KEY[,KEY...]=FROM:TO:N` or `KEY[,KEY...]=V1,V2,...` (the keys are the label, the
    /// scale 1).
    pub fn parse(text: &str) -> Result<Self, String> {
        let usage = || {
            format!(
                "`{text}`: expected KEY[,KEY...]=FROM:TO:N or KEY[,KEY...]=V1,V2,..., e.g. network.inputs.0.stimulus.components.0.Spikes.source.Poisson.rate_hz=10000:40000:4"
            )
        };
        let (keys, range) = text.split_once('=').ok_or_else(usage)?;
        let number = |s: &str| s.trim().parse::<f64>().map_err(|_| usage());
        let keys: Vec<String> = keys.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
        let mut axis = Self::on("", 0.0, 0.0, 0);
        (axis.label, axis.keys) = (keys.join(","), keys);
        if range.contains(':') {
            let parts: Vec<&str> = range.split(':').collect();
            let [from, to, n] = parts.as_slice() else { return Err(usage()) };
            (axis.from, axis.to) = (number(from)?, number(to)?);
            axis.n = n.trim().parse::<usize>().map_err(|_| usage())?;
        } else {
            axis.values = range.split(',').map(number).collect::<Result<_, _>>()?;
        }
        axis.validate().map_err(|m| format!("`{text}`: {m}"))?;
        Ok(axis)
    }

    pub fn validate(&self) -> Result<(), String> {
        if self.keys.is_empty() {
            return Err("needs at least one key".into());
        }
        let points = self.count();
        if !(1..=1000).contains(&points) {
            return Err(format!("needs 1 to 1000 points, got {points}"));
        }
        let numbers = [self.from, self.to, self.scale].into_iter().chain(self.values.iter().copied());
        match numbers.into_iter().find(|v| !v.is_finite()) {
            Some(v) => Err(format!("from, to, values and scale must be finite, got {v}")),
            None => Ok(()),
        }
    }

    /// How many points the axis has.
    pub fn count(&self) -> usize {
        if self.values.is_empty() { self.n } else { self.values.len() }
    }

    /// Writes `scale x value` to every key of `preset` (validated as `--set` is).
    pub(crate) fn apply(&self, preset: &mut Preset, value: f64) -> Result<(), String> {
        self.keys.iter().try_for_each(|key| preset.set_path(key, &(self.scale * value).to_string()))
    }
}

/// A preset's own map: its axes, how long each point of a network runs, and how many seeds
/// each point of a learning task is trained from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    pub x: Axis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<Axis>,
    /// Simulated time per point, and the transient left out of its measures (networks).
    #[serde(default = "default_duration")]
    pub duration_ms: f64,
    #[serde(default = "default_warmup")]
    pub warmup_ms: f64,
    /// The network run at this fraction of its size ([`crate::network::spec::NetworkSpec::scaled`]).
    #[serde(default = "unit", skip_serializing_if = "is_unit")]
    pub scale: f64,
    /// A learning task is trained and tested from seeds `run.seed` to `run.seed + seeds - 1`
    /// at every point.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub seeds: u32,
    /// Published results drawn over a learning task's accuracy, each with its source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub published: Vec<Published>,
}

/// A published test accuracy at a value of the sweep's x, as a labelled marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Published {
    pub x: f64,
    /// Between 0 and 1.
    pub test_accuracy: f64,
    /// Who, on what task and network.
    pub label: String,
}

fn default_duration() -> f64 {
    Timing::default().duration_ms
}
fn default_warmup() -> f64 {
    Timing::default().warmup_ms
}
fn one() -> u32 {
    1
}
fn is_one(n: &u32) -> bool {
    *n == 1
}

/// The most seeds a learning sweep trains each point from.
pub const MAX_SEEDS: u32 = 100;

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
        if !(1..=MAX_SEEDS).contains(&self.seeds) {
            return Err(("seeds".into(), format!("must be 1 to {MAX_SEEDS}, got {}", self.seeds)));
        }
        for (k, p) in self.published.iter().enumerate() {
            if !p.x.is_finite() || !(0.0..=1.0).contains(&p.test_accuracy) {
                return Err((format!("published.{k}"), "x must be finite and test_accuracy in [0, 1]".into()));
            }
        }
        if preset.learning.is_some() {
            if self.scale != 1.0 {
                return Err(("scale".into(), "a learning task runs at its own size: leave out scale".into()));
            }
            return Ok(());
        }
        if self.seeds != 1 || !self.published.is_empty() {
            let field = if self.seeds != 1 { "seeds" } else { "published" };
            return Err((field.into(), "seeds and published results are for learning tasks".into()));
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
