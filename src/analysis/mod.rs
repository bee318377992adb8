//! Analyses of simulation output: spike statistics, f-I curves, analytic references.

pub mod activity;
pub mod energy;
pub mod fi;
pub mod pattern;
pub mod phase_plane;
pub mod regime;
pub mod spikes;
pub mod stdp;

pub use fi::{FiPoint, fi_curve, fi_point, rheobase, spike_times_at};
pub use pattern::{Classification, Pattern, classify};
pub use spikes::{isis, lif_latency_ms, lif_rate_hz, steady_rate_hz};

/// `n` values evenly spaced from `from` to `to` inclusive (`from` alone when `n` is 1): the
/// grids of an f-I curve and of a sweep's axis.
pub fn evenly_spaced(from: f64, to: f64, n: usize) -> Vec<f64> {
    (0..n).map(|k| if n == 1 { from } else { from + (to - from) * k as f64 / (n - 1) as f64 }).collect()
}
