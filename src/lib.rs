//! spikelab: a desktop laboratory for spiking neurons.

pub mod analysis; // spike statistics, f-I curves, analytic references
#[cfg(feature = "gui")]
pub mod app; // the window (the `gui` feature, on by default): the shell, the lab, one file per view
pub mod check; // what `spikelab check` validates: every file kind, folders walked
pub mod cli; // the headless face: run | fi | check | presets | bench | sweep | compare | lesson
pub mod compare; // two runs of one network side by side
pub mod dataset; // image data sets: the bundled digits, MNIST IDX files
pub mod dotted; // dotted paths into any serialisable value, as --set takes them
pub mod engine; // Simulation (pure core) and the engine thread
pub mod export; // a preset as a NEST or Brian2 script
pub mod fastmath; // branch-free exp for vectorised neuron updates
pub mod figure; // a view's figure as data: CSV, SVG and PNG
pub mod fsio; // atomic file writes
pub mod integrate; // the integrators: Euler, RK4, exponential Euler, exact, Izhikevich's schemes
pub mod learning; // learning tasks run trial by trial: tempotron, conversion, unsupervised STDP
pub mod lesson; // guided exercises whose keys are computed from the model
pub mod library; // bundled presets
pub mod memory; // large arrays in huge pages
pub mod network; // a network's specification, connection rules, and its run-time state
pub mod neuron; // the neuron models, one file each
pub mod param; // parameters and variables described once: key, unit, range, default, doc
pub mod preset; // the lab state as plain data (RON): settings, sweeps, learning tasks; load, validate, save, --set
pub mod progress; // progress of long headless jobs on stderr
pub mod random; // seeded generator, normal and Poisson draws
pub mod ron_file; // RON in and out, errors with file, line and field
pub mod stimulus; // injected current: components, their runner, CSV import
pub mod sweep; // a network's states over a grid of its parameters
pub mod synapse; // synaptic kernels, plasticity rules and memory devices as synapses
pub mod team; // threads kept for a run's life, to share out each step cheaply
pub mod workload; // the timed workloads behind `spikelab bench` (shared/bench/SPEC.md)
