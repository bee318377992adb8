//! What the engine sends to the UI: frames of spikes and min/max-decimated traces.

use crate::network::Spike;
use crate::neuron::NeuronModel;

/// One recorded variable as `(t_ms, value)` points, bounded in length.
///
/// When it would exceed its capacity it halves itself: every four points become the minimum and
/// the maximum of the four, in time order. Peaks (spikes) and troughs survive any number of
/// halvings, so a long chunk drawn from it looks like the full-resolution trace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub points: Vec<[f64; 2]>,
}

impl Series {
    /// Most points one frame carries per variable.
    pub const FRAME_CAPACITY: usize = 8192;

    pub fn push(&mut self, t_ms: f64, value: f64, capacity: usize) {
        if self.points.len() >= capacity {
            self.halve();
        }
        self.points.push([t_ms, value]);
    }

    /// Keeps min and max (in time order) of every group of four points.
    pub fn halve(&mut self) {
        let mut out = Vec::with_capacity(self.points.len() / 2 + 2);
        for group in self.points.chunks(4) {
            let by_value = |a: &&[f64; 2], b: &&[f64; 2]| a[1].total_cmp(&b[1]);
            let lo = group.iter().min_by(by_value).expect("chunk is not empty");
            let hi = group.iter().max_by(by_value).expect("chunk is not empty");
            if lo[0] <= hi[0] {
                out.push(*lo);
                if hi != lo {
                    out.push(*hi);
                }
            } else {
                out.push(*hi);
                out.push(*lo);
            }
        }
        self.points = out;
    }

    pub fn append(&mut self, other: &mut Series, capacity: usize) {
        for p in other.points.drain(..) {
            self.push(p[0], p[1], capacity);
        }
    }
}

/// Bins of a weight histogram (weights.csv, the STDP panel), over w / w_max in [0, 1].
pub const WEIGHT_BINS: usize = 20;

/// Mean, standard deviation, minimum, maximum and the histogram of weights in [0, 1].
pub fn weight_stats(weights: &[f64]) -> ([f64; 4], [u32; WEIGHT_BINS]) {
    let n = weights.len().max(1) as f64;
    let mean = weights.iter().sum::<f64>() / n;
    let std = (weights.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / n).sqrt();
    let min = weights.iter().copied().fold(f64::INFINITY, f64::min);
    let max = weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut bins = [0u32; WEIGHT_BINS];
    for w in weights {
        bins[((w * WEIGHT_BINS as f64) as usize).min(WEIGHT_BINS - 1)] += 1;
    }
    ([mean, std, min, max], bins)
}

/// The plastic weights at one time, as fractions of `w_max`.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightSample {
    pub t_ms: f64,
    /// Mean, standard deviation, minimum, maximum.
    pub stats: [f64; 4],
    pub bins: [u32; WEIGHT_BINS],
    /// The first few synapses' weights, for their traces.
    pub selected: Vec<f64>,
}

/// Synapses whose weights every sample carries.
pub const SELECTED_SYNAPSES: usize = 6;
/// Most plastic synapses whose every weight frames carry (the STDP panel's matrix).
pub const MATRIX_SYNAPSES: usize = 100_000;

/// Engine state as the UI should show it.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Running,
    Paused,
    /// The run paused itself: the message says why (e.g. a run-away state).
    Faulted(String),
}

/// A batch of simulation output. Frames of an older run id are stale and must be dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub run_id: u64,
    /// Simulated time reached at the end of this frame.
    pub t_ms: f64,
    /// Every spike since the previous frame, in time order; never dropped.
    pub spikes: Vec<Spike>,
    /// One series per recorded column (see `Simulation::columns`).
    pub traces: Vec<Series>,
    /// The current actually injected (noise and synaptic input included).
    pub input: Series,
    /// Plastic weights, at each recording.
    pub weights: Vec<WeightSample>,
    /// Every plastic weight (fraction of `w_max`) at the first recording of the frame, for
    /// networks of at most [`MATRIX_SYNAPSES`] plastic synapses (the weight matrix).
    pub all_weights: Vec<f32>,
    pub columns: Vec<String>,
    /// The model (with parameters) the engine is running.
    pub model: NeuronModel,
    pub status: Status,
    /// Steps simulated into this frame.
    pub steps: u64,
    /// Simulated ms per wall-clock second, measured by the engine.
    pub sim_ms_per_s: f64,
}

impl Frame {
    pub fn new(run_id: u64, columns: Vec<String>, model: NeuronModel, status: Status) -> Self {
        Self {
            run_id,
            t_ms: 0.0,
            spikes: Vec::new(),
            traces: vec![Series::default(); columns.len()],
            input: Series::default(),
            weights: Vec::new(),
            all_weights: Vec::new(),
            columns,
            model,
            status,
            steps: 0,
            sim_ms_per_s: 0.0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.steps == 0
            && self.spikes.is_empty()
            && self.weights.is_empty()
            && self.traces.iter().all(|s| s.points.is_empty())
    }
}

impl crate::engine::Observer for Frame {
    fn spike(&mut self, spike: Spike) {
        self.spikes.push(spike);
    }
    fn sample(&mut self, t_ms: f64, values: &[f64]) {
        for (series, &v) in self.traces.iter_mut().zip(values) {
            series.push(t_ms, v, Series::FRAME_CAPACITY);
        }
    }
    fn input(&mut self, t_ms: f64, current: f64) {
        self.input.push(t_ms, current, Series::FRAME_CAPACITY);
    }
    fn weights(&mut self, t_ms: f64, weights: &[f64]) {
        // One copy per frame (its first recording): the matrix need not be fresher than that.
        if weights.len() <= MATRIX_SYNAPSES && self.all_weights.is_empty() {
            self.all_weights.extend(weights.iter().map(|&w| w as f32));
        }
        // At most one sample per simulated millisecond reaches the UI.
        if self.weights.last().is_some_and(|w| t_ms - w.t_ms < 1.0) {
            return;
        }
        let (stats, bins) = weight_stats(weights);
        let selected = weights.iter().take(SELECTED_SYNAPSES).copied().collect();
        self.weights.push(WeightSample { t_ms, stats, bins, selected });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_keeps_extremes_and_bounds_length() {
        let mut s = Series::default();
        let cap = 64;
        for k in 0..10_000 {
            let t = k as f64 * 0.1;
            let v = if k == 4321 {
                30.0
            } else if k == 777 {
                -90.0
            } else {
                -65.0 + (t * 0.3).sin()
            };
            s.push(t, v, cap);
        }
        assert!(s.points.len() <= cap);
        let max = s.points.iter().map(|p| p[1]).fold(f64::MIN, f64::max);
        let min = s.points.iter().map(|p| p[1]).fold(f64::MAX, f64::min);
        assert_eq!((max, min), (30.0, -90.0));
        assert!(s.points.windows(2).all(|w| w[0][0] < w[1][0]), "time order kept");
        assert_eq!(s.points.iter().find(|p| p[1] == 30.0).unwrap()[0], 432.1);
    }
}
