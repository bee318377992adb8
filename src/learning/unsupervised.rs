//! Unsupervised digit learning with STDP (Diehl and Cook 2015), scaled to the data: a network
//! of the engine's own populations, synapses and plasticity rule, which the Raster and STDP
//! views can show while it learns.
//!
//! One Poisson input per pixel (rate `x max_rate_hz`, a spike source playing the encoder's
//! trains) projects to every excitatory LIF neuron through plastic weights; each spike of an
//! excitatory neuron inhibits all the others one step later (the paper's inhibitory population,
//! folded into direct lateral inhibition), so the neurons compete. Each neuron's threshold rises
//! by `theta_plus_mv` with every spike it fires and decays slowly (the population's adaptive
//! threshold: no neuron wins every image).
//!
//! - Inputs: a delta synapse, a jump of `w_ij` mV (charge `w C`) in every neuron not refractory.
//! - LIF: `V` relaxes to `v_rest_mv` with `tau_m_ms` (the exact scheme, spikes on the grid); it
//!   fires at `v_thresh_mv + θ_j`, resets to `v_reset_mv` and is refractory for `refractory_ms`.
//! - STDP on input weights: the weight-dependent rule with exponents 1 (Gütig et al. 2003, as
//!   NEST's `stdp_synapse`), all-to-all traces of `tau_trace_ms`: a post spike gives
//!   `Δw_ij = eta_post x_pre_i (w_max - w_ij)`, a pre spike `Δw_ij = -eta_pre x_post_j w_ij`.
//!   Every `present_ms` the weights into each neuron are scaled to sum to `weight_sum_mv`
//!   (Diehl and Cook's normalisation, a projection option).
//! - An image is shown for `present_ms` from rest (V, traces and refractory clocks reset; the
//!   paper's 150 ms pause does the same). Fewer than `min_spikes` output spikes: shown again
//!   with the input rate raised by `rate_step_hz`, up to 5 times.
//! - After training, each neuron is labelled with the class it answered most (mean spikes per
//!   image of that class, learning off); a test image is given the class whose neurons fire
//!   most on average.

use std::collections::BTreeMap;

use crate::dataset::Dataset;
use crate::engine::{Simulation, SpikeCounts};
use crate::integrate::{Integrator, SpikeTiming};
use crate::network::spec::{
    Adaptation, Connectivity, Dist, NetworkSpec, Normalise, PopulationSpec, Projection, Reset, Role, SynapseType,
};
use crate::neuron::{Lif, NeuronModel};
use crate::preset::Preset;
use crate::preset::learning::UnsupervisedParams;
use crate::random::{Rng, stream};
use crate::stimulus::encode::Encoder;
use crate::synapse::Kernel;
use crate::synapse::device::{DeviceSynapse, Mapping};
use crate::synapse::plasticity::StdpRule;
use rand::RngExt;
use rayon::prelude::*;

/// The network: the engine running it, and its parameters.
#[derive(Debug, Clone)]
pub struct Network {
    pub params: UnsupervisedParams,
    pub pixels: usize,
    engine: Simulation,
}

/// Membrane capacitance of the cells (pF): a weight of `w` mV is a charge of `w C`.
const C_PF: f64 = 100.0;

impl UnsupervisedParams {
    /// The network as a preset: inputs, the excitatory layer with its adaptive threshold, the
    /// plastic and normalised input projection (its weights on `device` if one is given),
    /// lateral inhibition.
    pub fn preset(&self, pixels: usize, device: Option<DeviceSynapse>) -> Preset {
        let cell = Lif {
            c_pf: C_PF,
            g_l_ns: C_PF / self.tau_m_ms,
            e_l_mv: self.v_rest_mv,
            v_th_mv: self.v_thresh_mv,
            v_reset_mv: self.v_reset_mv,
            t_ref_ms: self.refractory_ms,
            i_e_pa: 0.0,
            v0_mv: self.v_rest_mv,
        };
        let delta = |name: &str| (name.to_string(), SynapseType { kernel: Kernel::Delta, reversal_mv: None });
        let inputs = PopulationSpec {
            name: "pixels".into(),
            size: pixels as u32,
            role: Role::Excitatory,
            neuron: NeuronModel::Lif(cell),
            source: Some(crate::stimulus::SpikeSource::Times { times_ms: Vec::new() }),
            spread: Vec::new(),
            reset: Reset::ToValue,
            adaptation: None,
            initial: BTreeMap::new(),
            synapses: BTreeMap::new(),
        };
        let excitatory = PopulationSpec {
            name: "excitatory".into(),
            size: self.neurons,
            role: Role::Excitatory,
            neuron: NeuronModel::Lif(cell),
            source: None,
            spread: Vec::new(),
            reset: Reset::ToValue,
            adaptation: Some(Adaptation { theta_plus_mv: self.theta_plus_mv, tau_theta_ms: self.tau_theta_ms }),
            initial: BTreeMap::new(),
            synapses: BTreeMap::from([delta("input"), delta("inhibition")]),
        };
        let w_max = self.w_max * C_PF;
        let learning = Projection {
            from: "pixels".into(),
            to: "excitatory".into(),
            synapse: "input".into(),
            rule: Connectivity::AllToAll,
            weight: Dist::Uniform { low: 0.1 * w_max, high: 0.3 * w_max },
            delay_ms: Dist::Constant(self.dt_ms),
            autapses: false,
            multapses: false,
            plasticity: Some(StdpRule::Multiplicative {
                lambda: self.eta_post,
                alpha: self.eta_pre / self.eta_post,
                mu_plus: 1.0,
                mu_minus: 1.0,
                tau_plus_ms: self.tau_trace_ms,
                tau_minus_ms: self.tau_trace_ms,
                w_max,
            }),
            // Under Querlioz's rule the depression of every input that did not take part does
            // the competing, and the adaptive threshold is the homeostasis.
            normalise: (!matches!(device, Some(DeviceSynapse { mapping: Mapping::Querlioz { .. }, .. })))
                .then_some(Normalise { total: self.weight_sum_mv * C_PF, every_ms: self.present_ms }),
            device,
        };
        let inhibition = Projection {
            from: "excitatory".into(),
            to: "excitatory".into(),
            synapse: "inhibition".into(),
            rule: Connectivity::AllToAll,
            weight: Dist::Constant(-self.inhibition_mv * C_PF),
            delay_ms: Dist::Constant(self.dt_ms),
            autapses: false,
            multapses: false,
            plasticity: None,
            normalise: None,
            device: None,
        };
        let mut preset = Preset::with_model("Diehl & Cook network", NeuronModel::Lif(cell));
        preset.run.dt_ms = self.dt_ms;
        preset.run.integrator = Integrator::Exact;
        preset.run.spike_timing = SpikeTiming::Grid;
        preset.run.record_every = u32::MAX;
        preset.network = Some(NetworkSpec {
            populations: vec![inputs, excitatory],
            projections: vec![learning, inhibition],
            inputs: Vec::new(),
            record: vec![pixels as u32],
        });
        preset
    }
}

impl Network {
    /// Random initial weights (uniform, then normalised), thresholds at 0; the input weights on
    /// `device` if one is given.
    pub fn new(params: UnsupervisedParams, device: Option<DeviceSynapse>, pixels: usize, rng: &mut Rng) -> Self {
        let engine =
            Simulation::from_preset(&params.preset(pixels, device), rng.random()).expect("validated parameters");
        Self { params, pixels, engine }
    }

    /// The weights `w[j][i]` from pixel `i` into neuron `j`, in mV.
    pub fn weights(&self) -> Vec<Vec<f64>> {
        let mut w = vec![vec![0.0; self.pixels]; self.params.neurons as usize];
        for (pre, post, weight) in self.engine.net().plastic_synapses() {
            w[post as usize - self.pixels][pre as usize] = weight / C_PF;
        }
        w
    }

    /// Each neuron's threshold increment θ (mV).
    pub fn theta(&self) -> Vec<f64> {
        self.engine.net().population(1).theta().to_vec()
    }

    /// Shows one image (raising the rate until the layer answers) and returns each neuron's
    /// spike count; with `learn`, STDP changes the weights and the thresholds adapt.
    pub fn present(&mut self, image: &[f32], learn: bool, rng: &mut Rng) -> Vec<u32> {
        let p = self.params;
        let steps = (p.present_ms / p.dt_ms).round() as u64;
        self.engine.set_learning(learn);
        let mut rate = p.max_rate_hz;
        let mut counts = SpikeCounts::default();
        for _ in 0..5 {
            let trains = Encoder::Poisson { max_rate_hz: rate }.encode(image, p.present_ms, rng);
            self.engine.rest();
            self.engine.play(0, &trains);
            counts = SpikeCounts::new(self.engine.n_neurons());
            // LIF cells on the exact scheme cannot blow up.
            let _ = self.engine.step(steps, &mut counts);
            if counts.0[self.pixels..].iter().sum::<u32>() >= p.min_spikes {
                break;
            }
            rate += p.rate_step_hz;
        }
        counts.0.split_off(self.pixels)
    }
}

/// Labels from responses: each neuron gets the class with the highest mean count per image.
pub fn assign_labels(responses: &[Vec<u32>], labels: &[u8]) -> Vec<u8> {
    let n = responses.first().map_or(0, Vec::len);
    let mut per_class = vec![[0.0f64; 10]; n];
    let mut images = [0usize; 10];
    for (counts, &label) in responses.iter().zip(labels) {
        images[label as usize] += 1;
        for (j, &c) in counts.iter().enumerate() {
            per_class[j][label as usize] += c as f64;
        }
    }
    per_class
        .iter()
        .map(|sums| {
            let means = (0..10).map(|c| if images[c] > 0 { sums[c] / images[c] as f64 } else { 0.0 });
            super::ann::argmax(means.map(|m| m as f32)) as u8
        })
        .collect()
}

/// The class whose neurons fire most on average (classes without neurons are skipped).
pub fn classify(counts: &[u32], assignments: &[u8]) -> u8 {
    let mut sums = [0.0f64; 10];
    let mut members = [0usize; 10];
    for (&c, &a) in counts.iter().zip(assignments) {
        sums[a as usize] += c as f64;
        members[a as usize] += 1;
    }
    let means = (0..10).map(|k| if members[k] > 0 { (sums[k] / members[k] as f64) as f32 } else { f32::MIN });
    super::ann::argmax(means) as u8
}

/// A finished run: the network, its labels and the test result.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub network: Network,
    pub assignments: Vec<u8>,
    pub test_accuracy: f64,
    pub predictions: Vec<u8>,
}

/// Labels the neurons on `label_with` and classifies `test`, learning off (the network's
/// weights and thresholds do not change).
pub fn evaluate(network: &Network, label_with: &Dataset, test: &Dataset, rng: &mut Rng) -> (Vec<u8>, Vec<u8>, f64) {
    // Learning is off, so the images are independent: run in parallel, each with its own
    // stream (the same answers for any number of threads).
    let seed: u64 = rng.random();
    let respond = |images: &[Vec<f32>], first: u64| -> Vec<Vec<u32>> {
        images
            .par_iter()
            .enumerate()
            .map_init(
                || network.clone(),
                |frozen, (i, image)| frozen.present(image, false, &mut stream(seed, first + i as u64)),
            )
            .collect()
    };
    let responses = respond(&label_with.images, 0);
    let assignments = assign_labels(&responses, &label_with.labels);
    let predictions: Vec<u8> =
        respond(&test.images, 1 << 40).iter().map(|counts| classify(counts, &assignments)).collect();
    let accuracy = super::fraction_same(&predictions, &test.labels);
    (assignments, predictions, accuracy)
}

/// The task's training and test images, each limited as the task asks.
pub fn images(task: &crate::preset::learning::UnsupervisedTask) -> Result<(Dataset, Dataset), String> {
    let split = task.source.load()?;
    Ok((super::limit(&split.train, task.train_images), super::limit(&split.test, task.test_images)))
}

/// Training (learning on), labelling on the training images (learning off), then the test.
/// `progress(images_done, network)` is called after every training image; `false` stops.
pub fn train_and_test(
    params: UnsupervisedParams,
    device: Option<DeviceSynapse>,
    train: &Dataset,
    test: &Dataset,
    seed: u64,
    mut progress: impl FnMut(usize, &Network) -> bool,
) -> Outcome {
    let mut rng = stream(seed, 0);
    let mut network = Network::new(params, device, train.pixels(), &mut rng);
    let mut done = 0;
    'training: for _ in 0..params.epochs {
        for image in &train.images {
            network.present(image, true, &mut rng);
            done += 1;
            if !progress(done, &network) {
                break 'training;
            }
        }
    }
    let (assignments, predictions, test_accuracy) = evaluate(&network, train, test, &mut rng);
    Outcome { network, assignments, test_accuracy, predictions }
}
