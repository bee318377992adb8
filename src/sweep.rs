//! `spikelab sweep`: a preset run at every point of a grid over one or two of its parameters,
//! the points in parallel: a network's state measured and named ([`crate::analysis::regime`]),
//! or a learning task trained and tested from several seeds.

use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::regime::{Activity, Measures, Regime, classify};
use crate::engine::Simulation;
use crate::preset::Preset;
use crate::preset::sweep::{Axis, Timing};

impl Axis {
    /// The axis's points in order, evenly spaced ones to 12 significant digits (0.3, not
    /// 0.30000000000000004).
    pub fn values(&self) -> Vec<f64> {
        if self.values.is_empty() {
            let tidy = |v: f64| format!("{v:.11e}").parse().unwrap_or(v);
            crate::analysis::evenly_spaced(self.from, self.to, self.n).into_iter().map(tidy).collect()
        } else {
            self.values.clone()
        }
    }

    /// The width of a cell of a map along this axis: the smallest gap between two points (1 for
    /// a single point).
    pub fn cell(&self) -> f64 {
        let mut v = self.values();
        v.sort_by(f64::total_cmp);
        let gap = v.windows(2).map(|w| w[1] - w[0]).filter(|d| *d > 0.0).fold(f64::INFINITY, f64::min);
        if gap.is_finite() { gap } else { 1.0 }
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
        let learning = preset.learning.as_ref().is_some_and(|l| l.has_test_set());
        if preset.network.is_none() && !learning {
            return Err("a sweep needs a network preset or a learning task with a test set".into());
        }
        if learning && scale != 1.0 {
            return Err("a learning task runs at its own size: the scale must be 1".into());
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
                    p.validate().map_err(|inv| format!("scaled: {inv}"))?;
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

/// One training of a learning sweep: the point, the seed and the test accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    pub x: f64,
    pub y: Option<f64>,
    pub seed: u64,
    pub test_accuracy: f64,
}

impl Grid {
    /// Trains and tests the learning task of point `k` from the preset's seed plus `s`.
    pub fn run_score(&self, k: usize, s: u32) -> Result<Score, String> {
        let (mut p, (x, y)) = (self.presets[k].clone(), self.coords[k]);
        p.run.seed += s as u64;
        let test_accuracy = crate::learning::test_accuracy(&p)?;
        Ok(Score { x, y, seed: p.run.seed, test_accuracy })
    }

    /// Every (point, seed) of a learning sweep, points first.
    pub fn trainings(&self, seeds: u32) -> Vec<(usize, u32)> {
        (0..seeds).flat_map(|s| (0..self.presets.len()).map(move |k| (k, s))).collect()
    }
}

/// Trains and tests `preset`'s learning task at every point of `x` (times `y`) from `seeds`
/// seeds, in parallel, `done(trainings finished)` after each one.
pub fn run_learning(
    preset: &Preset,
    (x, y): (&Axis, Option<&Axis>),
    seeds: u32,
    done: impl Fn(usize) + Sync,
) -> Result<Vec<Score>, String> {
    let grid = Grid::new(preset, x, y, 1.0)?;
    let finished = std::sync::atomic::AtomicUsize::new(0);
    grid.trainings(seeds)
        .into_par_iter()
        .map(|(k, s)| {
            let score = grid.run_score(k, s);
            done(finished.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            score
        })
        .collect()
}

/// The scores as `sweep.csv`: `x,y,seed,test_accuracy`.
pub fn scores_csv(scores: &[Score]) -> String {
    let mut out = String::from("x,y,seed,test_accuracy\n");
    for s in scores {
        let y = s.y.map(|y| y.to_string()).unwrap_or_default();
        out += &format!("{},{y},{},{:.6}\n", s.x, s.seed, s.test_accuracy);
    }
    out
}

/// Each point's accuracy over its seeds, in the order the points first appear.
pub fn summarise(scores: &[Score]) -> Vec<Summary> {
    let mut out: Vec<Summary> = Vec::new();
    for s in scores {
        match out.iter_mut().find(|p| p.x == s.x && p.y == s.y) {
            Some(p) => {
                p.mean += (s.test_accuracy - p.mean) / (p.seeds + 1) as f64;
                p.lowest = p.lowest.min(s.test_accuracy);
                p.highest = p.highest.max(s.test_accuracy);
                p.seeds += 1;
            }
            None => out.push(Summary {
                x: s.x,
                y: s.y,
                mean: s.test_accuracy,
                lowest: s.test_accuracy,
                highest: s.test_accuracy,
                seeds: 1,
            }),
        }
    }
    out
}

/// A point's test accuracy over its seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub x: f64,
    pub y: Option<f64>,
    pub mean: f64,
    pub lowest: f64,
    pub highest: f64,
    pub seeds: u32,
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
