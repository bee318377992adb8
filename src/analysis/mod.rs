//! Analyses of simulation output: spike statistics, f-I curves, analytic references.

pub mod activity;
pub mod energy;
pub mod fi;
pub mod pattern;
pub mod phase_plane;
pub mod populations;
pub mod regime;
pub mod spikes;
pub mod stdp;

pub use fi::{FiPoint, fi_curve, fi_point, rheobase, spike_times_at, spike_times_with};
pub use pattern::{Classification, Pattern, classify};
pub use spikes::{isis, lif_latency_ms, lif_rate_hz, steady_rate_hz};

/// Where a monotone `holds` turns true between `lo` (where it does not hold) and `hi` (where
/// it does), bisected to within `tolerance`: the upper end of the final bracket, so it holds.
pub fn bisect(
    (mut lo, mut hi): (f64, f64),
    tolerance: f64,
    holds: impl Fn(f64) -> Result<bool, String>,
) -> Result<f64, String> {
    while hi - lo > tolerance {
        let mid = 0.5 * (lo + hi);
        if holds(mid)? { hi = mid } else { lo = mid }
    }
    Ok(hi)
}

/// `n` values evenly spaced from `from` to `to` inclusive (`from` alone when `n` is 1): the
/// grids of an f-I curve and of a sweep's axis.
pub fn evenly_spaced(from: f64, to: f64, n: usize) -> Vec<f64> {
    (0..n).map(|k| if n == 1 { from } else { from + (to - from) * k as f64 / (n - 1) as f64 }).collect()
}
