//! ANN-to-SNN conversion (Diehl et al. 2015; Rueckauer et al. 2017): each ReLU unit becomes an
//! integrate-and-fire neuron whose rate approximates its activation.
//!
//! - **Data-based normalisation**: `λ_l` is the `percentile` of layer `l`'s ReLU activations
//!   over the training images (`λ_0 = 1`, pixels are in [0, 1]); weights become
//!   `W_l λ_{l-1} / λ_l` and biases `b_l / λ_l`, so every unit's activation maps to at most about
//!   one spike per step.
//! - **Neurons**: non-leaky integrate-and-fire with threshold 1 and reset by subtraction (the
//!   charge above threshold is kept, so rates track activations without a systematic loss); at
//!   most one spike per step. Each step, `V += W' s + b'` with `s` the spikes of the layer below.
//! - **Input**: a rate code of the image (one input per pixel); an input spike counts
//!   `1 / (spikes per step at full intensity)`, so the mean input equals the pixel value.
//! - **Decision**: the output with most spikes so far; before any output spike, or on a tie, the
//!   highest membrane potential.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::ann::{Mlp, argmax, batch_of};
use super::data::Dataset;
use super::encode::Encoder;
use crate::random::stream;

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

    /// Runs one image for `steps` steps of `dt_ms`, with the input spikes `trains` (ms).
    pub fn run(&self, trains: &[Vec<f64>], input_gain: f32, steps: usize, dt_ms: f64, keep_raster: bool) -> Response {
        let sizes = self.sizes();
        // Input spikes per step.
        let mut input = vec![Vec::new(); steps];
        for (i, times) in trains.iter().enumerate() {
            for &t in times {
                let n = (t / dt_ms).floor() as usize;
                if n < steps {
                    input[n].push(i as u32);
                }
            }
        }
        let mut v: Vec<Vec<f32>> = self.biases.iter().map(|b| vec![0.0; b.len()]).collect();
        let mut counts: Vec<Vec<u32>> = sizes.iter().map(|&n| vec![0; n]).collect();
        let mut raster: Vec<Vec<(u32, u32)>> = vec![Vec::new(); sizes.len()];
        let mut decisions = Vec::with_capacity(steps);
        let mut spikes: Vec<u32> = Vec::new();
        let mut next: Vec<u32> = Vec::new();
        for (n, arriving) in input.iter().enumerate() {
            spikes.clear();
            spikes.extend(arriving);
            for &i in &spikes {
                counts[0][i as usize] += 1;
            }
            if keep_raster {
                raster[0].extend(spikes.iter().map(|&i| (n as u32, i)));
            }
            for l in 0..self.weights.len() {
                let gain = if l == 0 { input_gain } else { 1.0 };
                let potential = &mut v[l];
                for (vj, bj) in potential.iter_mut().zip(&self.biases[l]) {
                    *vj += bj;
                }
                for &i in &spikes {
                    for (vj, wj) in potential.iter_mut().zip(&self.weights[l][i as usize]) {
                        *vj += gain * wj;
                    }
                }
                next.clear();
                for (j, vj) in potential.iter_mut().enumerate() {
                    if *vj >= 1.0 {
                        *vj -= 1.0;
                        next.push(j as u32);
                    }
                }
                for &j in &next {
                    counts[l + 1][j as usize] += 1;
                }
                if keep_raster {
                    raster[l + 1].extend(next.iter().map(|&j| (n as u32, j)));
                }
                std::mem::swap(&mut spikes, &mut next);
            }
            decisions.push(decide(counts.last().expect("layers"), v.last().expect("layers")) as u8);
        }
        Response { decisions, counts, raster: keep_raster.then_some(raster) }
    }
}

/// Most spikes wins; ties (and no spikes) go to the highest membrane potential.
fn decide(counts: &[u32], v: &[f32]) -> usize {
    let top = counts.iter().copied().max().unwrap_or(0);
    argmax(counts.iter().zip(v).map(|(&c, &v)| if c == top { v } else { f32::MIN }))
}

/// How the converted network is run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpikingRun {
    pub encoder: Encoder,
    pub dt_ms: f64,
    pub duration_ms: f64,
    /// Percentile of the activations used for normalisation (99.9 in Rueckauer et al. 2017).
    pub percentile: f64,
}

impl SpikingRun {
    pub fn steps(&self) -> usize {
        (self.duration_ms / self.dt_ms).round() as usize
    }

    /// What one input spike counts for: the inverse of the spikes per step at full intensity.
    pub fn input_gain(&self) -> Result<f32, String> {
        let per_step = match self.encoder {
            Encoder::Poisson { max_rate_hz } | Encoder::Regular { max_rate_hz } => max_rate_hz * self.dt_ms * 1e-3,
            Encoder::Bernoulli { p_max, step_ms } => p_max * self.dt_ms / step_ms,
            _ => return Err("the conversion needs a rate code: Poisson, Bernoulli or regular".into()),
        };
        Ok((1.0 / per_step) as f32)
    }

    pub fn validate(&self) -> Result<(), (String, String)> {
        self.encoder.validate().map_err(|m| ("encoder".to_string(), m))?;
        self.input_gain().map_err(|m| ("encoder".to_string(), m))?;
        if !(self.dt_ms > 0.0 && self.dt_ms <= 10.0) {
            return Err(("dt_ms".into(), format!("must be in (0, 10] ms, got {}", self.dt_ms)));
        }
        if !(self.duration_ms >= self.dt_ms && self.duration_ms <= 10_000.0) {
            return Err(("duration_ms".into(), format!("must be from dt to 10000 ms, got {}", self.duration_ms)));
        }
        if !(self.percentile > 50.0 && self.percentile <= 100.0) {
            return Err(("percentile".into(), format!("must be in (50, 100], got {}", self.percentile)));
        }
        Ok(())
    }
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
    let gain = sim.input_gain()?;
    let steps = sim.steps();
    let decisions: Vec<Vec<u8>> = (0..test.len())
        .into_par_iter()
        .map(|i| {
            let trains = sim.encoder.encode(&test.images[i], sim.duration_ms, &mut stream(seed, i as u64));
            snn.run(&trains, gain, steps, sim.dt_ms, false).decisions
        })
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
        let gain = sim.input_gain()?;
        let steps = sim.steps();
        Ok((0..data.len())
            .into_par_iter()
            .map(|i| {
                // Streams apart from the test run's (those are `stream(seed, i)`).
                let trains =
                    sim.encoder.encode(&data.images[i], sim.duration_ms, &mut stream(seed, (1 << 40) + i as u64));
                let response = self.run(&trains, gain, steps, sim.dt_ms, false);
                response.counts[1].iter().map(|&c| c as f32 / steps as f32 * self.lambdas[0]).collect()
            })
            .collect())
    }
}
