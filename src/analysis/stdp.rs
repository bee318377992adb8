//! The STDP window measured the way an experimenter would: one pre spike and one post spike
//! `Δt` apart through a single plastic synapse, run in the engine, the weight read after.

use std::collections::BTreeMap;

use crate::engine::Simulation;
use crate::network::spec::{Connectivity, Dist, Input, NetworkSpec, PopulationSpec, Projection, Role, SynapseType};
use crate::neuron::{Lif, NeuronModel};
use crate::preset::Preset;
use crate::preset::settings::RunSettings;
use crate::stimulus::{Component, SpikeSource, Stimulus};
use crate::synapse::Kernel;
use crate::synapse::plasticity::StdpRule;

/// When the pre spike leaves, its delay, and the weight each pairing starts from.
const T_PRE_MS: f64 = 100.0;
const DELAY_MS: f64 = 1.0;

/// The pairing network: a source firing at `T_PRE_MS`, a LIF kicked at `t_kick`.
fn pairing(rule: StdpRule, w0: f64, t_kick: f64) -> Preset {
    let lif = NeuronModel::Lif(Lif { c_pf: 200.0, g_l_ns: 10.0, ..Lif::default() });
    let population =
        |name: &str, source: Option<SpikeSource>, synapses: BTreeMap<String, SynapseType>| PopulationSpec {
            name: name.into(),
            size: 1,
            role: Role::Excitatory,
            neuron: lif,
            source,
            spread: Vec::new(),
            reset: Default::default(),
            adaptation: None,
            initial: BTreeMap::new(),
            synapses,
        };
    let synapse = SynapseType { kernel: Kernel::Exponential { tau_ms: 5.0 }, reversal_mv: None };
    let network = NetworkSpec {
        populations: vec![
            population("pre", Some(SpikeSource::Times { times_ms: vec![T_PRE_MS] }), BTreeMap::new()),
            population("post", None, BTreeMap::from([("s".to_string(), synapse)])),
        ],
        projections: vec![Projection {
            from: "pre".into(),
            to: "post".into(),
            synapse: "s".into(),
            rule: Connectivity::OneToOne,
            weight: Dist::Constant(w0),
            delay_ms: Dist::Constant(DELAY_MS),
            autapses: false,
            multapses: false,
            plasticity: Some(rule),
            normalise: None,
            device: None,
        }],
        inputs: vec![Input {
            population: "post".into(),
            neurons: None,
            stimulus: Stimulus::of(vec![Component::Pulse { start_ms: t_kick, duration_ms: 0.5, amplitude: 20_000.0 }]),
        }],
        record: vec![1],
    };
    let mut preset = Preset::with_model("STDP pairing", lif);
    preset.network = Some(network);
    preset.run = RunSettings { dt_ms: 0.1, duration_ms: 400.0, ..RunSettings::default() };
    preset.run.integrator = crate::integrate::Integrator::ExponentialEuler;
    preset
}

/// `(Δt, Δw)` of one pairing aimed at each `Δt` (ms), from weight `w_max / 2`; Δt is read from
/// the spikes. The kick (20 nA for 0.5 ms) makes the post neuron fire, never the synapse.
pub fn measured_window(rule: StdpRule, targets_ms: &[f64]) -> Result<Vec<[f64; 2]>, String> {
    // Measured with w_max = 1 pA, so the synapse cannot move the neuron, and scaled back.
    let (w_max, rule) = (rule.w_max(), rule.with_w_max(1.0));
    let w0 = 0.5;
    targets_ms
        .iter()
        .map(|&target| {
            // The kick makes the LIF fire about 0.2 ms after it starts.
            let t_kick = T_PRE_MS + DELAY_MS + target - 0.2;
            let mut sim = Simulation::from_preset(&pairing(rule, w0, t_kick), 1)?;
            let mut spikes = Vec::new();
            sim.step(4000, &mut spikes).map_err(|f| f.to_string())?;
            let post = spikes.iter().find(|s| s.neuron == 1).ok_or("the post neuron did not fire")?;
            let mut w = Vec::new();
            sim.net().plastic_weights(&mut w);
            Ok([post.t_ms - (T_PRE_MS + DELAY_MS), (w[0] - w0) * w_max])
        })
        .collect()
}
