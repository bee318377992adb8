//! `spikelab sweep`: a network run at every point of a grid over one or two of its parameters,
//! each point's state measured and named ([`crate::analysis::regime`]), the points in parallel.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::regime::{Activity, Measures, Regime, classify};
use crate::engine::Simulation;
use crate::preset::Preset;

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

    pub fn values(&self) -> Vec<f64> {
        crate::analysis::evenly_spaced(self.from, self.to, self.n)
    }

    /// Writes `scale x value` to every key of `preset` (validated as `--set` is).
    fn apply(&self, preset: &mut Preset, value: f64) -> Result<(), String> {
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

/// One point of the grid and what its run showed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub x: f64,
    pub y: Option<f64>,
    #[serde(flatten)]
    pub measures: Measures,
    pub regime: Regime,
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

/// The points of a grid: `x` fastest, then `y`, each with its preset.
#[derive(Debug, Clone)]
pub struct Grid {
    pub coords: Vec<(f64, Option<f64>)>,
    pub presets: Vec<Preset>,
}

impl Grid {
    /// Every point's preset, built first, so that a bad key or value stops the sweep before any
    /// run: the axes' values (in the full network's units), then the network scaled to `scale`
    /// of its size. Each point steps on one thread; the points share the machine's threads.
    pub fn new(preset: &Preset, x: &Axis, y: Option<&Axis>, scale: f64) -> Result<Self, String> {
        if preset.network.is_none() {
            return Err("a sweep needs a network preset".into());
        }
        x.validate().map_err(|m| format!("x: {m}"))?;
        y.map_or(Ok(()), |y| y.validate().map_err(|m| format!("y: {m}")))?;
        let coords: Vec<(f64, Option<f64>)> = match y {
            Some(y) => y.values().into_iter().flat_map(|b| x.values().into_iter().map(move |a| (a, Some(b)))).collect(),
            None => x.values().into_iter().map(|a| (a, None)).collect(),
        };
        let presets = coords
            .iter()
            .map(|&(a, b)| {
                let mut p = preset.clone();
                x.apply(&mut p, a)?;
                if let (Some(axis), Some(b)) = (y, b) {
                    axis.apply(&mut p, b)?;
                }
                if scale != 1.0 {
                    p.network = Some(p.network.as_ref().expect("checked").scaled(scale)?);
                    p.validate().map_err(|inv| format!("scaled: field `{}`: {}", inv.field, inv.message))?;
                }
                p.run.threads = 1;
                Ok(p)
            })
            .collect::<Result<Vec<Preset>, String>>()?;
        Ok(Self { coords, presets })
    }

    /// Runs point `k` and measures it.
    pub fn run_point(&self, k: usize, timing: Timing) -> Result<Point, String> {
        let (p, (x, y)) = (&self.presets[k], self.coords[k]);
        let mut sim = Simulation::from_preset(p, p.run.seed)?;
        let net = sim.net();
        let mut activity = Activity::new(sim.n_neurons(), |g| !net.is_source(g), timing.warmup_ms, timing.duration_ms);
        let steps = (timing.duration_ms / p.run.dt_ms).round() as u64;
        sim.step(steps, &mut activity)
            .map_err(|fault| format!("at x = {x}{}: {fault}", y.map(|y| format!(", y = {y}")).unwrap_or_default()))?;
        let measures = activity.measures();
        Ok(Point { x, y, measures, regime: classify(&measures) })
    }
}

/// Runs `preset` at every point of `x` (times `y`) in parallel, `done(points finished)` after
/// each one. Every point uses the preset's seed, so the grid is deterministic and neighbouring
/// points differ by their parameters only.
pub fn run(
    preset: &Preset,
    (x, y): (&Axis, Option<&Axis>),
    timing: Timing,
    scale: f64,
    done: impl Fn(usize) + Sync,
) -> Result<Vec<Point>, String> {
    timing.validate()?;
    let grid = Grid::new(preset, x, y, scale)?;
    let finished = std::sync::atomic::AtomicUsize::new(0);
    (0..grid.presets.len())
        .into_par_iter()
        .map(|k| {
            let point = grid.run_point(k, timing);
            done(finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            point
        })
        .collect()
}

/// The points as `sweep.csv`: `x,y,rate_hz,cv_isi,synchrony,peak_hz,regime` (empty cells where
/// a value does not exist).
pub fn csv(points: &[Point]) -> String {
    let cell = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    let mut out = String::from("x,y,rate_hz,cv_isi,synchrony,peak_hz,regime\n");
    for p in points {
        let m = &p.measures;
        out += &format!(
            "{},{},{:.6},{},{:.6},{},{}\n",
            p.x,
            p.y.map(|y| y.to_string()).unwrap_or_default(),
            m.rate_hz,
            cell(m.cv_isi),
            m.synchrony,
            cell(m.peak_hz),
            p.regime.label()
        );
    }
    out
}
