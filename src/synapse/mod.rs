//! Synapses: the current a train of spikes injects (kinetics) and how weights learn (plasticity).

pub mod kernel;
pub mod plasticity;

pub use kernel::{Kernel, KernelStates, Propagator};
