//! What the UI keeps of the current run: bounded ring buffers fed by engine frames.

use std::collections::VecDeque;

use egui_plot::PlotPoint;

use crate::engine::frame::{Frame, Status};
use crate::network::Spike;
use crate::neuron::NeuronModel;

/// Points kept per recorded variable (about 6 MB each); older points are dropped.
const MAX_POINTS: usize = 400_000;
/// Spikes kept for drawing; the total count is kept separately.
const MAX_SPIKES: usize = 2_000_000;
/// Weight samples kept (the STDP panel).
const MAX_WEIGHT_SAMPLES: usize = 100_000;

#[derive(Debug)]
pub struct History {
    pub run_id: u64,
    /// Frames of runs up to this id are stale (a reset or load was asked for).
    stale_up_to: Option<u64>,
    pub columns: Vec<String>,
    pub series: Vec<VecDeque<[f64; 2]>>,
    /// The current the engine injected.
    pub input: VecDeque<[f64; 2]>,
    pub spikes: VecDeque<Spike>,
    pub spike_count: u64,
    /// Plastic weight samples, oldest first.
    pub weights: VecDeque<crate::engine::frame::WeightSample>,
    /// Every plastic weight at the latest recording (small networks; see the frame).
    pub all_weights: Vec<f32>,
    /// The neuron whose variables the columns hold (the traced neuron).
    pub traced: u32,
    pub t_ms: f64,
    pub status: Status,
    pub sim_ms_per_s: f64,
    /// The model the engine reported running in its latest frame.
    pub engine_model: Option<NeuronModel>,
    /// Bumped whenever the data changes, for draw caches.
    pub version: u64,
}

impl Default for History {
    fn default() -> Self {
        Self {
            run_id: 0,
            stale_up_to: None,
            columns: Vec::new(),
            series: Vec::new(),
            input: VecDeque::new(),
            spikes: VecDeque::new(),
            spike_count: 0,
            weights: VecDeque::new(),
            all_weights: Vec::new(),
            traced: 0,
            t_ms: 0.0,
            status: Status::Paused,
            sim_ms_per_s: 0.0,
            engine_model: None,
            version: 0,
        }
    }
}

impl History {
    /// A reset or load was sent: forget this run now and ignore its late frames.
    pub fn expect_new_run(&mut self) {
        self.stale_up_to = Some(self.run_id);
        self.clear();
    }

    fn clear(&mut self) {
        self.series.iter_mut().for_each(VecDeque::clear);
        self.input.clear();
        self.spikes.clear();
        self.weights.clear();
        self.all_weights.clear();
        self.spike_count = 0;
        self.t_ms = 0.0;
        self.version += 1;
    }

    /// Folds a frame in; returns `false` for a stale frame (dropped).
    pub fn apply(&mut self, frame: Frame) -> bool {
        if self.stale_up_to.is_some_and(|old| frame.run_id <= old) || frame.run_id < self.run_id {
            return false;
        }
        self.stale_up_to = None;
        if frame.run_id != self.run_id {
            self.run_id = frame.run_id;
            self.clear();
        }
        if frame.columns != self.columns {
            // Another neuron traced: its series start now; the spikes stay.
            self.columns = frame.columns.clone();
            self.series = vec![VecDeque::new(); self.columns.len()];
            self.input.clear();
            self.traced = self.columns.first().and_then(|c| c.split('.').next()?.parse().ok()).unwrap_or(0);
        }
        for (store, chunk) in self.series.iter_mut().zip(frame.traces) {
            push_capped(store, chunk.points, MAX_POINTS);
        }
        push_capped(&mut self.input, frame.input.points, MAX_POINTS);
        push_capped(&mut self.weights, frame.weights, MAX_WEIGHT_SAMPLES);
        if !frame.all_weights.is_empty() {
            self.all_weights = frame.all_weights;
        }
        self.spike_count += frame.spikes.len() as u64;
        push_capped(&mut self.spikes, frame.spikes, MAX_SPIKES);
        self.t_ms = frame.t_ms;
        self.status = frame.status;
        self.sim_ms_per_s = frame.sim_ms_per_s;
        self.engine_model = Some(frame.model);
        self.version += 1;
        true
    }

    /// Bytes the history's buffers hold now (their capacity, not only what is in use).
    pub fn held_bytes(&self) -> usize {
        use std::mem::size_of;
        let points = |d: &VecDeque<[f64; 2]>| d.capacity() * size_of::<[f64; 2]>();
        let samples: usize = self.weights.iter().map(|w| w.selected.capacity() * size_of::<f64>()).sum();
        self.series.iter().map(points).sum::<usize>()
            + points(&self.input)
            + self.spikes.capacity() * size_of::<Spike>()
            + self.weights.capacity() * size_of::<crate::engine::frame::WeightSample>()
            + samples
            + self.all_weights.capacity() * size_of::<f32>()
    }

    /// The most the history may hold with `columns` recorded variables: every buffer at its
    /// cap, with the slack of a ring buffer that grew by doubling, and the largest weight matrix.
    pub fn budget_bytes(columns: usize) -> usize {
        use crate::engine::frame::{MATRIX_SYNAPSES, SELECTED_SYNAPSES, WeightSample};
        use std::mem::size_of;
        let grown = |n: usize| n.next_power_of_two();
        (columns + 1) * grown(MAX_POINTS) * size_of::<[f64; 2]>()
            + grown(MAX_SPIKES) * size_of::<Spike>()
            + grown(MAX_WEIGHT_SAMPLES) * (size_of::<WeightSample>() + SELECTED_SYNAPSES * size_of::<f64>())
            + MATRIX_SYNAPSES * size_of::<f32>()
    }

    /// Column index of variable `key` of the traced neuron.
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.split_once('.') == Some((&self.traced.to_string(), key)))
    }

    /// Points of column `c` with `t0 <= t <= t1`.
    pub fn points_in(&self, c: usize, t0: f64, t1: f64) -> impl Iterator<Item = [f64; 2]> + '_ {
        let series = &self.series[c];
        let start = series.partition_point(|p| p[0] < t0);
        series.range(start..).take_while(move |p| p[0] <= t1).copied()
    }

    /// Column `c` at time `t`, linearly interpolated between its samples.
    pub fn value_at(&self, c: usize, t: f64) -> Option<f64> {
        let series = self.series.get(c)?;
        let k = series.partition_point(|p| p[0] < t);
        match (k.checked_sub(1).map(|j| series[j]), series.get(k)) {
            (Some(a), Some(b)) if b[0] > a[0] => Some(a[1] + (b[1] - a[1]) * (t - a[0]) / (b[0] - a[0])),
            (_, Some(b)) => Some(b[1]),
            (Some(a), None) => Some(a[1]),
            (None, None) => None,
        }
    }

    /// The state of neuron 0 at the sample times of column 0 within `[t0, t1]`, the other
    /// columns interpolated onto them (columns may be decimated on different points).
    pub fn states_in(&self, t0: f64, t1: f64) -> Vec<(f64, [f64; 4])> {
        if self.series.is_empty() {
            return Vec::new();
        }
        self.points_in(0, t0, t1)
            .map(|p| {
                let mut x = [p[1], 0.0, 0.0, 0.0];
                for (c, slot) in x.iter_mut().enumerate().take(self.series.len().min(4)).skip(1) {
                    *slot = self.value_at(c, p[0]).unwrap_or(0.0);
                }
                (p[0], x)
            })
            .collect()
    }

    /// Spike times of the traced neuron within `[t0, t1]`.
    pub fn spike_times_in(&self, t0: f64, t1: f64) -> impl Iterator<Item = f64> + '_ {
        self.spikes_in(t0, t1).filter(|s| s.neuron == self.traced).map(|s| s.t_ms)
    }

    /// Every spike within `[t0, t1]`, in time order.
    pub fn spikes_in(&self, t0: f64, t1: f64) -> impl Iterator<Item = &Spike> + '_ {
        let start = self.spikes.partition_point(|s| s.t_ms < t0);
        self.spikes.range(start..).take_while(move |s| s.t_ms <= t1)
    }
}

/// Per-pixel min/max decimation of a time-sorted series over `[t0, t1]` into `buckets` columns:
/// at most two points per column (min and max in time order) plus the neighbours just outside,
/// so lines run to the plot edges and no peak is lost.
/// Appends the newest `cap` of `items`, first letting go of the oldest so that the buffer never
/// grows past its cap (its memory stays at the budget however large a frame is).
fn push_capped<T>(store: &mut VecDeque<T>, items: Vec<T>, cap: usize) {
    let skip = items.len().saturating_sub(cap);
    let excess = (store.len() + items.len() - skip).saturating_sub(cap);
    store.drain(..excess.min(store.len()));
    store.extend(items.into_iter().skip(skip));
}

pub fn decimate(points: &VecDeque<[f64; 2]>, t0: f64, t1: f64, buckets: usize, out: &mut Vec<PlotPoint>) {
    out.clear();
    if points.is_empty() || t1 <= t0 || buckets == 0 {
        return;
    }
    let start = points.partition_point(|p| p[0] < t0).saturating_sub(1);
    let end = (points.partition_point(|p| p[0] <= t1) + 1).min(points.len());
    let width = (t1 - t0) / buckets as f64;
    let mut k = start;
    while k < end {
        let bucket = ((points[k][0] - t0) / width).floor();
        let (mut lo, mut hi) = (points[k], points[k]);
        let mut j = k + 1;
        while j < end && ((points[j][0] - t0) / width).floor() == bucket {
            if points[j][1] < lo[1] {
                lo = points[j];
            }
            if points[j][1] > hi[1] {
                hi = points[j];
            }
            j += 1;
        }
        let (first, second) = if lo[0] <= hi[0] { (lo, hi) } else { (hi, lo) };
        out.push(PlotPoint::new(first[0], first[1]));
        if second != first {
            out.push(PlotPoint::new(second[0], second[1]));
        }
        k = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::frame::Series;

    fn frame(run_id: u64, t: f64, spikes: usize) -> Frame {
        let model = crate::neuron::ModelKind::Lif.default_model();
        let mut f = Frame::new(run_id, vec!["0.v".into()], model, Status::Running);
        f.traces[0] = Series { points: vec![[t, -65.0]] };
        f.spikes = (0..spikes).map(|k| Spike { t_ms: t + k as f64 * 0.01, neuron: 0 }).collect();
        f.t_ms = t;
        f
    }

    #[test]
    fn stale_frames_are_dropped_after_a_reset() {
        let mut h = History::default();
        assert!(h.apply(frame(0, 1.0, 2)));
        h.expect_new_run();
        assert!(!h.apply(frame(0, 2.0, 1)), "old run after reset");
        assert_eq!(h.spike_count, 0);
        assert!(h.apply(frame(1, 0.5, 1)));
        assert_eq!((h.run_id, h.spike_count), (1, 1));
        assert!(!h.apply(frame(0, 3.0, 1)));
    }

    #[test]
    fn decimation_keeps_peaks_and_bounds_points() {
        let points: VecDeque<[f64; 2]> =
            (0..100_000).map(|k| [k as f64 * 0.01, if k == 54_321 { 30.0 } else { -65.0 }]).collect();
        let mut out = Vec::new();
        decimate(&points, 100.0, 900.0, 500, &mut out);
        assert!(out.len() <= 2 * 500 + 4, "{}", out.len());
        assert!(out.iter().any(|p| p.y == 30.0 && (p.x - 543.21).abs() < 1e-9));
        assert!(out.first().unwrap().x <= 100.0 && out.last().unwrap().x >= 900.0);
    }
}
