//! `spikelab sweep`: a network run at every point of a grid over one or two of its parameters,
//! each point's state measured and named ([`crate::analysis::regime`]), the points in parallel.

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::regime::{Activity, Measures, Regime, classify};
use crate::engine::Simulation;
use crate::preset::Preset;

/// One axis of the grid: `n` values from `from` to `to`, each written to every key (preset
/// paths as `--set` takes them, so that one axis can move, say, both inhibitory weights).
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub keys: Vec<String>,
    pub from: f64,
    pub to: f64,
    pub n: usize,
}

impl Axis {
    /// Parses `KEY[,KEY...]=FROM:TO:N`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let usage = || {
            format!(
                "`{text}`: expected KEY[,KEY...]=FROM:TO:N, e.g. network.inputs.0.stimulus.components.0.Spikes.source.Poisson.rate_hz=10000:40000:4"
            )
        };
        let (keys, range) = text.split_once('=').ok_or_else(usage)?;
        let parts: Vec<&str> = range.split(':').collect();
        let [from, to, n] = parts.as_slice() else { return Err(usage()) };
        let number = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(usage);
        let n = n.trim().parse::<usize>().ok().filter(|&n| (1..=1000).contains(&n)).ok_or_else(usage)?;
        let keys: Vec<String> = keys.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
        if keys.is_empty() {
            return Err(usage());
        }
        Ok(Self { keys, from: number(from)?, to: number(to)?, n })
    }

    pub fn values(&self) -> Vec<f64> {
        (0..self.n)
            .map(|k| {
                if self.n == 1 { self.from } else { self.from + (self.to - self.from) * k as f64 / (self.n - 1) as f64 }
            })
            .collect()
    }

    /// Writes `value` to every key of `preset` (validated as `--set` is).
    fn apply(&self, preset: &mut Preset, value: f64) -> Result<(), String> {
        self.keys.iter().try_for_each(|key| preset.set_path(key, &value.to_string()))
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

/// Runs `preset` at every point of `x` (times `y`), `done(points finished)` after each one.
/// Every point uses the preset's seed, so the grid is deterministic and neighbouring points
/// differ by their parameters only. Each point steps on one thread; the points share the
/// machine's threads.
pub fn run(
    preset: &Preset,
    x: &Axis,
    y: Option<&Axis>,
    timing: Timing,
    done: impl Fn(usize) + Sync,
) -> Result<Vec<Point>, String> {
    if !(timing.warmup_ms >= 0.0 && timing.duration_ms > timing.warmup_ms) {
        return Err(format!("--duration-ms ({}) must exceed --warmup-ms ({})", timing.duration_ms, timing.warmup_ms));
    }
    if preset.network.is_none() {
        return Err("sweep needs a network preset".into());
    }
    let grid: Vec<(f64, Option<f64>)> = match y {
        Some(y) => y.values().into_iter().flat_map(|b| x.values().into_iter().map(move |a| (a, Some(b)))).collect(),
        None => x.values().into_iter().map(|a| (a, None)).collect(),
    };
    // Every point's preset first, so that a bad key stops the sweep before any run.
    let presets = grid
        .iter()
        .map(|&(a, b)| {
            let mut p = preset.clone();
            x.apply(&mut p, a)?;
            if let (Some(axis), Some(b)) = (y, b) {
                axis.apply(&mut p, b)?;
            }
            p.run.threads = 1;
            Ok(p)
        })
        .collect::<Result<Vec<Preset>, String>>()?;
    let finished = std::sync::atomic::AtomicUsize::new(0);
    presets
        .par_iter()
        .zip(&grid)
        .map(|(p, &(x, y))| {
            let mut sim = Simulation::from_preset(p, p.run.seed)?;
            let net = sim.net();
            let mut activity =
                Activity::new(sim.n_neurons(), |g| !net.is_source(g), timing.warmup_ms, timing.duration_ms);
            let steps = (timing.duration_ms / p.run.dt_ms).round() as u64;
            let outcome = sim.step(steps, &mut activity);
            done(finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            outcome.map_err(|fault| {
                format!("at x = {x}{}: {fault}", y.map(|y| format!(", y = {y}")).unwrap_or_default())
            })?;
            let measures = activity.measures();
            Ok(Point { x, y, measures, regime: classify(&measures) })
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
