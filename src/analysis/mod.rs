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
