//! Synapses: the current a train of spikes injects (kinetics); plasticity comes later.

pub mod kernel;

pub use kernel::{Kernel, KernelState, Propagator};
