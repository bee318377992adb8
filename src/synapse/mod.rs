//! Synapses: the current a train of spikes injects (kinetics), how weights learn (plasticity),
//! and the memory devices that can hold them (device).

pub mod device;
pub mod kernel;
pub mod plasticity;

pub use kernel::{HeldCurrent, HeldExponentials, Kernel, KernelPart, KernelStates, Propagator};
