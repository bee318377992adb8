//! ANN-to-SNN conversion (Diehl et al. 2015; Rueckauer et al. 2017): each ReLU unit becomes an
//! integrate-and-fire neuron whose rate approximates its activation.
//!
//! - **Data-based normalisation**: `λ_l` is the `percentile` of layer `l`'s ReLU activations
//!   over the training images (`λ_0 = 1`, pixels are in [0, 1]); weights become
//!   `W_l λ_{l-1} / λ_l` and biases `b_l / λ_l`, so every unit's activation maps to at most about
//!   one spike per step.
//! - **Neurons**: the engine's LIF without leak (`g_L = 0`) and reset by subtraction (the charge
//!   above threshold is kept, so rates track activations without a systematic loss), on the
//!   exact scheme with spikes on the step grid: at most one spike per step. One unit of
//!   activation is 1 mV (`V_th - V_reset`); a weight `w` is a delta synapse of charge `w C`
//!   (a jump of `w` mV), a bias `b` a constant current `b C / dt` (`b` mV per step). Each layer
//!   hears the one below one step later (the engine's least delay).
//! - **Input**: a rate code of the image (one spike source per pixel, playing the encoder's
//!   trains); an input spike counts `1 / (spikes per step at full intensity)`, so the mean input
//!   equals the pixel value.
//! - **Decision**: the output with most spikes so far; before any output spike, or on a tie, the
//!   highest membrane potential.

use rayon::prelude::*;

use std::collections::BTreeMap;

use super::ann::{Mlp, argmax, batch_of};
use crate::dataset::Dataset;
use crate::engine::{Observer, Simulation, SpikeCounts};
use crate::integrate::{Integrator, SpikeTiming};
use crate::network::Spike;
use crate::network::spec::{
    Connectivity, Dist, NetworkSpec, PopulationSpec, Projection, Reset, Role, Spread, SynapseType,
};
use crate::neuron::{Lif, NeuronModel};
use crate::preset::Preset;
use crate::preset::learning::SpikingRun;
use crate::random::stream;
use crate::stimulus::SpikeSource;
use crate::synapse::Kernel;

/// The spiking network: normalised weights stored input-major (`w[l][i]` is the row of
/// weights from input `i` of layer `l` to each of its outputs) for event-driven updates.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikingNet {
    pub weights: Vec<Vec<Vec<f32>>>,
    pub biases: Vec<Vec<f32>>,
    /// The normalisation factors `λ_1 .. λ_L`.
    pub lambdas: Vec<f32>,
}

/// What one image did in the spiking network.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The decision after each step.
    pub decisions: Vec<u8>,
    /// Spike counts of each layer's units (inputs first).
    pub counts: Vec<Vec<u32>>,
    /// `(step, unit)` of every spike per layer (inputs first), when asked for.
    pub raster: Option<Vec<Vec<(u32, u32)>>>,
}

/// The `q`-quantile (0..1) of `values` (sorted in place).
fn quantile(values: &mut [f32], q: f64) -> f32 {
    values.sort_by(f32::total_cmp);
    let k = ((values.len() - 1) as f64 * q).round() as usize;
    values[k]
}

impl SpikingNet {
    /// Converts `net` with λ from the activations over `train` at `percentile` (0 to 100).
    pub fn convert(net: &Mlp, train: &Dataset, percentile: f64) -> Self {
        let x = batch_of(train, &(0..train.len()).collect::<Vec<_>>());
        let outputs = net.forward(x.view());
        let lambdas: Vec<f32> = outputs
            .iter()
            .map(|a| {
                let mut positive: Vec<f32> = a.iter().copied().filter(|&v| v > 0.0).collect();
                if positive.is_empty() { 1.0 } else { quantile(&mut positive, percentile / 100.0).max(1e-6) }
            })
            .collect();
        let mut weights = Vec::new();
        let mut biases = Vec::new();
        for (l, layer) in net.layers.iter().enumerate() {
            let below = if l == 0 { 1.0 } else { lambdas[l - 1] };
            let scale = below / lambdas[l];
            weights.push(layer.w.t().rows().into_iter().map(|r| r.iter().map(|&w| w * scale).collect()).collect());
            biases.push(layer.b.iter().map(|&b| b / lambdas[l]).collect());
        }
        Self { weights, biases, lambdas }
    }

    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.weights[0].len()];
        sizes.extend(self.biases.iter().map(Vec::len));
        sizes
    }

    /// The network as a preset the engine runs: a spike source per input, a population per
    /// layer, delta synapses with the normalised weights (the first layer's scaled by
    /// `input_gain`), the output layer recorded.
    pub fn preset(&self, input_gain: f32, dt_ms: f64) -> Preset {
        let sizes = self.sizes();
        let mut populations = vec![PopulationSpec {
            name: "input".into(),
            size: sizes[0] as u32,
            role: Role::Excitatory,
            neuron: NeuronModel::Lif(UNIT),
            source: Some(SpikeSource::Times { times_ms: Vec::new() }),
            spread: Vec::new(),
            reset: Reset::ToValue,
            adaptation: None,
            initial: BTreeMap::new(),
            synapses: BTreeMap::new(),
        }];
        let mut projections = Vec::new();
        for (l, biases) in self.biases.iter().enumerate() {
            let name = if l + 1 == self.biases.len() { "output".to_string() } else { format!("hidden {}", l + 1) };
            let currents = biases.iter().map(|&b| b as f64 * UNIT.c_pf / dt_ms).collect();
            populations.push(PopulationSpec {
                name: name.clone(),
                size: biases.len() as u32,
                role: Role::Excitatory,
                neuron: NeuronModel::Lif(UNIT),
                source: None,
                spread: vec![Spread::Values { param: "i_e_pa".into(), values: currents }],
                reset: Reset::Subtract,
                adaptation: None,
                initial: BTreeMap::new(),
                synapses: BTreeMap::from([("w".to_string(), SynapseType { kernel: Kernel::Delta, reversal_mv: None })]),
            });
            let gain = if l == 0 { input_gain as f64 } else { 1.0 };
            let synapses = self.weights[l]
                .iter()
                .enumerate()
                .flat_map(|(i, row)| {
                    row.iter().enumerate().map(move |(j, &w)| (i as u32, j as u32, w as f64 * gain * UNIT.c_pf, dt_ms))
                })
                .collect();
            projections.push(Projection {
                from: populations[l].name.clone(),
                to: name,
                synapse: "w".into(),
                rule: Connectivity::Explicit { synapses },
                weight: Dist::Constant(1.0),
                delay_ms: Dist::Constant(dt_ms),
                autapses: false,
                multapses: true,
                plasticity: None,
                normalise: None,
                device: None,
            });
        }
        let offsets = layer_offsets(&sizes);
        let (last, outputs) = (*offsets.last().expect("layers"), *sizes.last().expect("layers") as u32);
        let mut preset = Preset::with_model("converted network", NeuronModel::Lif(UNIT));
        preset.run.dt_ms = dt_ms;
        preset.run.integrator = Integrator::Exact;
        preset.run.spike_timing = SpikeTiming::Grid;
        preset.network = Some(NetworkSpec {
            populations,
            projections,
            inputs: Vec::new(),
            record: (last..last + outputs).collect(),
        });
        preset
    }

    /// The engine built for this network, ready to take images.
    pub fn simulation(&self, input_gain: f32, dt_ms: f64) -> Result<Simulation, String> {
        Simulation::from_preset(&self.preset(input_gain, dt_ms), 1)
    }

    /// Runs one image for `steps` steps of `dt_ms`, with the input spikes `trains` (ms).
    pub fn run(
        &self,
        trains: &[Vec<f64>],
        input_gain: f32,
        steps: usize,
        dt_ms: f64,
        keep_raster: bool,
    ) -> Result<Response, String> {
        Ok(Self::run_on(&mut self.simulation(input_gain, dt_ms)?, &self.sizes(), trains, steps, keep_raster))
    }

    /// Runs one image on `sim` (built by [`SpikingNet::simulation`]), from rest.
    pub fn run_on(
        sim: &mut Simulation,
        sizes: &[usize],
        trains: &[Vec<f64>],
        steps: usize,
        keep_raster: bool,
    ) -> Response {
        sim.rest();
        sim.play(0, trains);
        let mut watch = Watch::new(sizes, keep_raster);
        // The engine reports no fault here: the layers have no dynamics that can blow up.
        let _ = sim.step(steps as u64, &mut watch);
        Response { counts: watch.layer_counts(), decisions: watch.decisions, raster: watch.raster }
    }
}

/// The unit cell: 1 mV from reset to threshold, no leak, no refractory period.
const UNIT: Lif = Lif {
    c_pf: 100.0,
    g_l_ns: 0.0,
    e_l_mv: -70.0,
    v_th_mv: -69.0,
    v_reset_mv: -70.0,
    t_ref_ms: 0.0,
    i_e_pa: 0.0,
    v0_mv: -70.0,
};

/// The global index of each layer's first neuron.
fn layer_offsets(sizes: &[usize]) -> Vec<u32> {
    sizes.iter().scan(0, |at, &n| Some(std::mem::replace(at, *at + n as u32))).collect()
}

/// Spike counts, the raster, and the decision after every step.
struct Watch {
    offsets: Vec<u32>,
    /// Per neuron: the layers are split off at the end.
    counts: SpikeCounts,
    raster: Option<Vec<Vec<(u32, u32)>>>,
    decisions: Vec<u8>,
}

impl Watch {
    fn new(sizes: &[usize], keep_raster: bool) -> Self {
        Self {
            offsets: layer_offsets(sizes),
            counts: SpikeCounts::new(sizes.iter().sum()),
            raster: keep_raster.then(|| vec![Vec::new(); sizes.len()]),
            decisions: Vec::new(),
        }
    }

    /// The counts of each layer's units (inputs first).
    fn layer_counts(&self) -> Vec<Vec<u32>> {
        let counts = &self.counts.0;
        let ends = self.offsets.iter().skip(1).map(|&o| o as usize).chain([counts.len()]);
        self.offsets.iter().zip(ends).map(|(&start, end)| counts[start as usize..end].to_vec()).collect()
    }
}

impl Observer for Watch {
    fn spike(&mut self, spike: Spike) {
        self.counts.spike(spike);
        if let Some(raster) = &mut self.raster {
            let layer = self.offsets.partition_point(|&o| o <= spike.neuron) - 1;
            raster[layer].push((self.decisions.len() as u32, spike.neuron - self.offsets[layer]));
        }
    }
    /// The output layer's V after each step: the decision of that step.
    fn sample(&mut self, _: f64, v: &[f64]) {
        let outputs = &self.counts.0[*self.offsets.last().expect("layers") as usize..];
        self.decisions.push(decide(outputs, v) as u8);
    }
    fn wants_weights(&self) -> bool {
        false
    }
}

/// Most spikes wins; ties (and no spikes) go to the highest membrane potential.
fn decide(counts: &[u32], v: &[f64]) -> usize {
    let top = counts.iter().copied().max().unwrap_or(0);
    argmax(counts.iter().zip(v).map(|(&c, &v)| if c == top { v as f32 } else { f32::MIN }))
}

/// The spiking network on a test set.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Accuracy after each step.
    pub accuracy_by_step: Vec<f64>,
    /// Final decision per image.
    pub predictions: Vec<u8>,
    /// `confusion[true][predicted]`.
    pub confusion: [[u32; 10]; 10],
}

impl Evaluation {
    pub fn accuracy(&self) -> f64 {
        self.accuracy_by_step.last().copied().unwrap_or(0.0)
    }
}

/// Runs every test image (input spikes seeded per image, so any thread count gives the same).
pub fn evaluate(snn: &SpikingNet, sim: &SpikingRun, test: &Dataset, seed: u64) -> Result<Evaluation, String> {
    let (steps, sizes) = (sim.steps(), snn.sizes());
    let template = snn.simulation(sim.input_gain()?, sim.dt_ms)?;
    let decisions: Vec<Vec<u8>> = (0..test.len())
        .into_par_iter()
        .map_init(
            || template.clone(),
            |engine, i| {
                let trains = sim.encoder.encode(&test.images[i], sim.duration_ms, &mut stream(seed, i as u64));
                SpikingNet::run_on(engine, &sizes, &trains, steps, false).decisions
            },
        )
        .collect();
    let accuracy_by_step = (0..steps)
        .map(|n| {
            let right = decisions.iter().zip(&test.labels).filter(|(d, l)| d[n] == **l).count();
            right as f64 / test.len().max(1) as f64
        })
        .collect();
    let predictions: Vec<u8> = decisions.iter().map(|d| *d.last().unwrap_or(&0)).collect();
    let confusion = super::confusion(&predictions, &test.labels);
    Ok(Evaluation { accuracy_by_step, predictions, confusion })
}

impl SpikingNet {
    /// Each first-hidden-layer unit's spike rate over a run of every image of `data`, scaled
    /// back to an activation (spikes per step x `λ_1`): what bootstrap training feeds the ANN.
    pub fn measured_activations(&self, sim: &SpikingRun, data: &Dataset, seed: u64) -> Result<Vec<Vec<f32>>, String> {
        let (steps, sizes) = (sim.steps(), self.sizes());
        let template = self.simulation(sim.input_gain()?, sim.dt_ms)?;
        Ok((0..data.len())
            .into_par_iter()
            .map_init(
                || template.clone(),
                |engine, i| {
                    // Streams apart from the test run's (those are `stream(seed, i)`).
                    let trains =
                        sim.encoder.encode(&data.images[i], sim.duration_ms, &mut stream(seed, (1 << 40) + i as u64));
                    let response = SpikingNet::run_on(engine, &sizes, &trains, steps, false);
                    response.counts[1].iter().map(|&c| c as f32 / steps as f32 * self.lambdas[0]).collect()
                },
            )
            .collect())
    }
}
