//! The integration tests, as one test binary: each binary links the whole window toolkit, so
//! one link instead of twelve keeps the build short. One module per area.

mod cli; // the headless command-line contract
mod common; // helpers: a recording observer, running and loading presets
mod devices; // memory devices under plastic synapses: pulses, levels, rules, normalisation
mod engine; // the engine thread: commands, frames, pacing, faults
mod export; // scripts for NEST: golden files, every preset exports or is refused
mod generated; // generated valid presets run in their envelope or say why; kept regressions
mod layers; // each module uses only its own layer and below, with no cycle
mod learning; // the learning lab: data, encoders, conversion, unsupervised STDP
mod lessons; // lessons: keys computed and judged, independent values, the JSON contract
mod networks; // network presets against their references
mod neuron_lab; // single-neuron behaviour, integrators, analyses
mod plasticity; // STDP rules against their closed forms and Brian2's run
mod presets; // every bundled preset loads, validates and runs
mod reliability; // damaged files, killed saves, memory over an hour
mod science; // published tables and analytic results
mod tempotron; // the EE746 STDP-A task
#[cfg(feature = "gui")]
mod ui; // the real app driven by kittest
mod workloads; // the benchmark workloads as presets, exact and grid stepping
