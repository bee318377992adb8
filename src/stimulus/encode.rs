//! Turning an image into spike trains, one train per pixel, and reading an image back from them.
//!
//! Pixel intensities `x` are in [0, 1]; a code runs for `duration_ms`; spike times are in ms.
//! - `Poisson`: a Poisson process at rate `x max_rate_hz` (exact times).
//! - `Bernoulli`: every `step_ms` a spike with probability `x p_max`.
//! - `Regular`: a periodic train at rate `x max_rate_hz`, spikes at `(k - 1/2)` periods.
//! - `Latency`: one spike at `t_max_ms (1 - x)` for pixels above `threshold` (time to first
//!   spike: bright pixels fire first).
//! - `RankOrder`: pixels above `threshold` fire once, brightest first, one every `interval_ms`
//!   (ties in index order); only the order carries the image (Thorpe and Gautrais 1998).

use serde::{Deserialize, Serialize};

use crate::param::ParamSpec;
use crate::random::Rng;
use rand::RngExt;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Encoder {
    Poisson { max_rate_hz: f64 },
    Bernoulli { p_max: f64, step_ms: f64 },
    Regular { max_rate_hz: f64 },
    Latency { t_max_ms: f64, threshold: f64 },
    RankOrder { interval_ms: f64, threshold: f64 },
}

impl Encoder {
    pub const NAMES: [&'static str; 5] = ["Poisson rate", "Bernoulli", "regular rate", "latency", "rank order"];

    pub fn name(&self) -> &'static str {
        Self::NAMES[self.index()]
    }
    pub fn index(&self) -> usize {
        match self {
            Encoder::Poisson { .. } => 0,
            Encoder::Bernoulli { .. } => 1,
            Encoder::Regular { .. } => 2,
            Encoder::Latency { .. } => 3,
            Encoder::RankOrder { .. } => 4,
        }
    }
    /// Each kind with its parameters' defaults (what the playground starts from).
    pub fn default_of(index: usize) -> Encoder {
        let mut code = match index {
            0 => Encoder::Poisson { max_rate_hz: 0.0 },
            1 => Encoder::Bernoulli { p_max: 0.0, step_ms: 0.0 },
            2 => Encoder::Regular { max_rate_hz: 0.0 },
            3 => Encoder::Latency { t_max_ms: 0.0, threshold: 0.0 },
            _ => Encoder::RankOrder { interval_ms: 0.0, threshold: 0.0 },
        };
        for spec in code.specs() {
            code.set(spec.key, spec.default);
        }
        code
    }

    /// The code's parameters, described once.
    pub fn specs(&self) -> &'static [ParamSpec] {
        const RATE: &[ParamSpec] = &[ParamSpec::new(
            "max_rate_hz",
            "rate at full intensity",
            "Hz",
            (1e-3, 2000.0),
            100.0,
            "a pixel's rate is its intensity times this",
        )];
        const BERNOULLI: &[ParamSpec] = &[
            ParamSpec::new(
                "p_max",
                "p at full intensity",
                "",
                (0.0, 1.0),
                0.2,
                "a pixel's chance to fire in each step is its intensity times this",
            ),
            ParamSpec::new("step_ms", "step", "ms", (1e-3, 100.0), 1.0, "one chance to fire per step"),
        ];
        const LATENCY: &[ParamSpec] = &[
            ParamSpec::new(
                "t_max_ms",
                "t_max",
                "ms",
                (1e-3, 1e6),
                50.0,
                "a pixel fires once at t_max (1 - intensity): bright pixels first",
            ),
            ParamSpec::new("threshold", "threshold", "", (0.0, 0.999), 0.05, "pixels at or below it stay silent"),
        ];
        const RANK: &[ParamSpec] = &[
            ParamSpec::new(
                "interval_ms",
                "interval",
                "ms",
                (1e-3, 1e6),
                1.0,
                "time between successive pixels, brightest first",
            ),
            ParamSpec::new("threshold", "threshold", "", (0.0, 0.999), 0.05, "pixels at or below it stay silent"),
        ];
        match self {
            Encoder::Poisson { .. } | Encoder::Regular { .. } => RATE,
            Encoder::Bernoulli { .. } => BERNOULLI,
            Encoder::Latency { .. } => LATENCY,
            Encoder::RankOrder { .. } => RANK,
        }
    }

    pub fn get(&self, key: &str) -> Option<f64> {
        let mut code = *self;
        code.field(key).map(|v| *v)
    }
    /// Sets a parameter by key; `false` if this code has none of that name.
    pub fn set(&mut self, key: &str, value: f64) -> bool {
        self.field(key).map(|v| *v = value).is_some()
    }
    fn field(&mut self, key: &str) -> Option<&mut f64> {
        Some(match (self, key) {
            (Encoder::Poisson { max_rate_hz } | Encoder::Regular { max_rate_hz }, "max_rate_hz") => max_rate_hz,
            (Encoder::Bernoulli { p_max, .. }, "p_max") => p_max,
            (Encoder::Bernoulli { step_ms, .. }, "step_ms") => step_ms,
            (Encoder::Latency { t_max_ms, .. }, "t_max_ms") => t_max_ms,
            (Encoder::RankOrder { interval_ms, .. }, "interval_ms") => interval_ms,
            (Encoder::Latency { threshold, .. } | Encoder::RankOrder { threshold, .. }, "threshold") => threshold,
            _ => return None,
        })
    }

    /// Every parameter within its range.
    pub fn validate(&self) -> Result<(), String> {
        for spec in self.specs() {
            spec.check(self.get(spec.key).expect("every spec has a field"))?;
        }
        Ok(())
    }

    /// The spike times of every pixel of `image` over `duration_ms`, sorted per pixel.
    pub fn encode(&self, image: &[f32], duration_ms: f64, rng: &mut Rng) -> Vec<Vec<f64>> {
        match *self {
            Encoder::Poisson { max_rate_hz } => image
                .iter()
                .map(|&x| {
                    let rate = x as f64 * max_rate_hz;
                    if rate <= 0.0 {
                        return Vec::new();
                    }
                    super::poisson_train(rng, rate, |t| (t < duration_ms).then_some(t))
                })
                .collect(),
            Encoder::Bernoulli { p_max, step_ms } => {
                let steps = (duration_ms / step_ms).floor() as usize;
                image
                    .iter()
                    .map(|&x| {
                        let p = x as f64 * p_max;
                        (0..steps).filter(|_| rng.random::<f64>() < p).map(|k| k as f64 * step_ms).collect()
                    })
                    .collect()
            }
            Encoder::Regular { max_rate_hz } => image
                .iter()
                .map(|&x| {
                    let rate = x as f64 * max_rate_hz;
                    if rate <= 0.0 {
                        return Vec::new();
                    }
                    let period = 1000.0 / rate;
                    (1..).map(|k| (k as f64 - 0.5) * period).take_while(|&t| t < duration_ms).collect()
                })
                .collect(),
            Encoder::Latency { t_max_ms, threshold } => image
                .iter()
                .map(|&x| {
                    let t = t_max_ms * (1.0 - x as f64);
                    if x as f64 > threshold && t < duration_ms { vec![t] } else { Vec::new() }
                })
                .collect(),
            Encoder::RankOrder { interval_ms, threshold } => {
                let mut order: Vec<usize> = (0..image.len()).filter(|&i| image[i] as f64 > threshold).collect();
                order.sort_by(|&a, &b| image[b].total_cmp(&image[a]).then(a.cmp(&b)));
                let mut trains = vec![Vec::new(); image.len()];
                for (rank, &i) in order.iter().enumerate() {
                    let t = rank as f64 * interval_ms;
                    if t < duration_ms {
                        trains[i].push(t);
                    }
                }
                trains
            }
        }
    }

    /// The image the spikes stand for: rates divided by the top rate, latencies mapped back, or
    /// ranks spread over (0, 1] (rank order keeps only the order).
    pub fn decode(&self, trains: &[Vec<f64>], duration_ms: f64) -> Vec<f32> {
        match *self {
            Encoder::Poisson { max_rate_hz } | Encoder::Regular { max_rate_hz } => {
                trains.iter().map(|t| (t.len() as f64 / (duration_ms * 1e-3 * max_rate_hz)).min(1.0) as f32).collect()
            }
            Encoder::Bernoulli { p_max, step_ms } => {
                let steps = (duration_ms / step_ms).floor().max(1.0);
                trains.iter().map(|t| (t.len() as f64 / (steps * p_max.max(1e-12))).min(1.0) as f32).collect()
            }
            Encoder::Latency { t_max_ms, .. } => {
                trains.iter().map(|t| t.first().map_or(0.0, |&t| (1.0 - t / t_max_ms) as f32)).collect()
            }
            Encoder::RankOrder { interval_ms, .. } => {
                let fired = trains.iter().filter(|t| !t.is_empty()).count().max(1) as f64;
                trains
                    .iter()
                    .map(|t| t.first().map_or(0.0, |&t| (1.0 - (t / interval_ms).round() / fired) as f32))
                    .collect()
            }
        }
    }
}
