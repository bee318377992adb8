//! Unsupervised digit learning with STDP (Diehl and Cook 2015), scaled to the data.
//!
//! One Poisson input per pixel (rate `x max_rate_hz`) projects to every excitatory LIF neuron
//! through plastic weights; each spike of an excitatory neuron inhibits all the others (the
//! paper's inhibitory population, folded into direct lateral inhibition), so the neurons compete.
//! Each neuron's threshold rises by `theta_plus_mv` with every spike it fires and decays slowly
//! (homeostasis: no neuron wins every image).
//!
//! - Inputs: a spike makes `V_j += w_ij` (mV) in every neuron not refractory.
//! - LIF: `V` relaxes to `v_rest_mv` with `tau_m_ms` (exact step); it fires at
//!   `v_thresh_mv + θ_j`, resets to `v_reset_mv` and is refractory for `refractory_ms`.
//! - STDP on input weights, trace based (traces decay with `tau_trace_ms`, +1 per spike): a
//!   post spike gives `Δw_ij = eta_post x_pre_i (w_max - w_ij)`; a pre spike gives
//!   `Δw_ij = -eta_pre x_post_j w_ij`. After each image the weights into each neuron are scaled
//!   to sum to `weight_sum_mv` (Diehl and Cook's normalisation).
//! - An image is shown for `present_ms` from rest (V, traces and refractory clocks reset; the
//!   paper's 150 ms pause does the same). Fewer than `min_spikes` output spikes: shown again
//!   with the input rate raised by `rate_step_hz`, up to 5 times.
//! - After training, each neuron is labelled with the class it answered most (mean spikes per
//!   image of that class, learning off); a test image is given the class whose neurons fire
//!   most on average.

use serde::{Deserialize, Serialize};

use super::data::Dataset;
use crate::random::{Rng, stream};
use rand::RngExt;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub neurons: u32,
    pub epochs: u32,
    pub max_rate_hz: f64,
    pub rate_step_hz: f64,
    pub present_ms: f64,
    pub dt_ms: f64,
    pub tau_m_ms: f64,
    pub v_rest_mv: f64,
    pub v_reset_mv: f64,
    pub v_thresh_mv: f64,
    pub refractory_ms: f64,
    pub theta_plus_mv: f64,
    pub tau_theta_ms: f64,
    pub inhibition_mv: f64,
    pub tau_trace_ms: f64,
    pub eta_pre: f64,
    pub eta_post: f64,
    pub w_max: f64,
    pub weight_sum_mv: f64,
    pub min_spikes: u32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            neurons: 100,
            epochs: 1,
            max_rate_hz: 64.0,
            rate_step_hz: 32.0,
            present_ms: 350.0,
            dt_ms: 0.5,
            tau_m_ms: 100.0,
            v_rest_mv: -65.0,
            v_reset_mv: -65.0,
            v_thresh_mv: -52.0,
            refractory_ms: 5.0,
            theta_plus_mv: 0.2,
            tau_theta_ms: 1e7,
            inhibition_mv: 20.0,
            tau_trace_ms: 20.0,
            eta_pre: 0.0001,
            eta_post: 0.01,
            w_max: 1.0,
            weight_sum_mv: 6.0,
            min_spikes: 5,
        }
    }
}

impl Params {
    pub fn validate(&self) -> Result<(), (String, String)> {
        let fail = |field: &str, m: String| Err((field.to_string(), m));
        if !(1..=2000).contains(&self.neurons) {
            return fail("neurons", format!("must be 1 to 2000, got {}", self.neurons));
        }
        if !(1..=100).contains(&self.epochs) {
            return fail("epochs", format!("must be 1 to 100, got {}", self.epochs));
        }
        let positive = [
            ("max_rate_hz", self.max_rate_hz),
            ("present_ms", self.present_ms),
            ("dt_ms", self.dt_ms),
            ("tau_m_ms", self.tau_m_ms),
            ("tau_theta_ms", self.tau_theta_ms),
            ("tau_trace_ms", self.tau_trace_ms),
            ("w_max", self.w_max),
            ("weight_sum_mv", self.weight_sum_mv),
        ];
        for (field, value) in positive {
            if !(value > 0.0 && value.is_finite()) {
                return fail(field, format!("must be a finite number > 0, got {value}"));
            }
        }
        let non_negative = [
            ("rate_step_hz", self.rate_step_hz),
            ("refractory_ms", self.refractory_ms),
            ("theta_plus_mv", self.theta_plus_mv),
            ("inhibition_mv", self.inhibition_mv),
            ("eta_pre", self.eta_pre),
            ("eta_post", self.eta_post),
        ];
        for (field, value) in non_negative {
            if !(value >= 0.0 && value.is_finite()) {
                return fail(field, format!("must be a finite number >= 0, got {value}"));
            }
        }
        if self.dt_ms > self.present_ms || self.dt_ms > 5.0 {
            return fail("dt_ms", format!("must be at most 5 ms and below present_ms, got {}", self.dt_ms));
        }
        if self.v_thresh_mv <= self.v_reset_mv || self.v_thresh_mv <= self.v_rest_mv {
            return fail("v_thresh_mv", "must be above v_reset_mv and v_rest_mv".into());
        }
        Ok(())
    }
}

/// The network's learned state: weights `w[j][i]` from pixel `i` into neuron `j`, thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub params: Params,
    pub pixels: usize,
    pub weights: Vec<Vec<f64>>,
    pub theta: Vec<f64>,
}

impl Network {
    /// Random initial weights (uniform, then normalised), thresholds at 0.
    pub fn new(params: Params, pixels: usize, rng: &mut Rng) -> Self {
        let weights = (0..params.neurons)
            .map(|_| (0..pixels).map(|_| params.w_max * (0.1 + 0.2 * rng.random::<f64>())).collect())
            .collect();
        let mut net = Self { params, pixels, weights, theta: vec![0.0; params.neurons as usize] };
        net.normalise();
        net
    }

    fn normalise(&mut self) {
        let (target, w_max) = (self.params.weight_sum_mv, self.params.w_max);
        for row in &mut self.weights {
            let sum: f64 = row.iter().sum();
            if sum > 0.0 {
                row.iter_mut().for_each(|w| *w = (*w * target / sum).min(w_max));
            }
        }
    }

    /// Shows one image (raising the rate until the layer answers) and returns each neuron's
    /// spike count; with `learn`, STDP changes the weights and the thresholds adapt.
    pub fn present(&mut self, image: &[f32], learn: bool, rng: &mut Rng) -> Vec<u32> {
        let p = self.params;
        let mut rate = p.max_rate_hz;
        let mut counts = Vec::new();
        for _ in 0..5 {
            counts = self.run_image(image, rate, learn, rng);
            if counts.iter().sum::<u32>() >= p.min_spikes {
                break;
            }
            rate += p.rate_step_hz;
        }
        if learn {
            self.normalise();
        }
        counts
    }

    fn run_image(&mut self, image: &[f32], rate_hz: f64, learn: bool, rng: &mut Rng) -> Vec<u32> {
        let p = self.params;
        let n = p.neurons as usize;
        let steps = (p.present_ms / p.dt_ms).round() as usize;
        let leak = (-p.dt_ms / p.tau_m_ms).exp();
        let trace_decay = (-p.dt_ms / p.tau_trace_ms).exp();
        let theta_decay = (-p.dt_ms / p.tau_theta_ms).exp();
        let refractory_steps = (p.refractory_ms / p.dt_ms).round() as u32;
        let probability: Vec<f64> = image.iter().map(|&x| x as f64 * rate_hz * p.dt_ms * 1e-3).collect();
        let mut v = vec![p.v_rest_mv; n];
        let mut refractory = vec![0u32; n];
        let (mut x_pre, mut x_post) = (vec![0.0; self.pixels], vec![0.0; n]);
        let mut counts = vec![0u32; n];
        let mut fired = Vec::new();
        for _ in 0..steps {
            for (j, vj) in v.iter_mut().enumerate() {
                *vj = p.v_rest_mv + (*vj - p.v_rest_mv) * leak;
                refractory[j] = refractory[j].saturating_sub(1);
            }
            if learn {
                x_pre.iter_mut().for_each(|x| *x *= trace_decay);
                x_post.iter_mut().for_each(|x| *x *= trace_decay);
            }
            for (i, &prob) in probability.iter().enumerate() {
                if prob <= 0.0 || rng.random::<f64>() >= prob {
                    continue;
                }
                for j in 0..n {
                    if refractory[j] == 0 {
                        v[j] += self.weights[j][i];
                    }
                    if learn {
                        let w = &mut self.weights[j][i];
                        *w -= p.eta_pre * x_post[j] * *w;
                    }
                }
                if learn {
                    x_pre[i] += 1.0;
                }
            }
            fired.clear();
            fired.extend((0..n).filter(|&j| refractory[j] == 0 && v[j] >= p.v_thresh_mv + self.theta[j]));
            for &j in &fired {
                counts[j] += 1;
                v[j] = p.v_reset_mv;
                refractory[j] = refractory_steps;
                if learn {
                    self.theta[j] += p.theta_plus_mv;
                    x_post[j] += 1.0;
                    for (w, &x) in self.weights[j].iter_mut().zip(&x_pre) {
                        *w += p.eta_post * x * (p.w_max - *w);
                    }
                }
            }
            if !fired.is_empty() {
                for (j, vj) in v.iter_mut().enumerate() {
                    let others = fired.len() - usize::from(fired.contains(&j));
                    *vj -= p.inhibition_mv * others as f64;
                }
            }
            if learn {
                self.theta.iter_mut().for_each(|t| *t *= theta_decay);
            }
        }
        counts
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
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub network: Network,
    pub assignments: Vec<u8>,
    pub test_accuracy: f64,
    pub predictions: Vec<u8>,
}

/// Labels the neurons on `label_with` and classifies `test`, learning off (the network's
/// weights and thresholds do not change).
pub fn evaluate(network: &Network, label_with: &Dataset, test: &Dataset, rng: &mut Rng) -> (Vec<u8>, Vec<u8>, f64) {
    let mut frozen = network.clone();
    let responses: Vec<Vec<u32>> = label_with.images.iter().map(|im| frozen.present(im, false, rng)).collect();
    let assignments = assign_labels(&responses, &label_with.labels);
    let predictions: Vec<u8> =
        test.images.iter().map(|im| classify(&frozen.present(im, false, rng), &assignments)).collect();
    let accuracy = super::fraction_same(&predictions, &test.labels);
    (assignments, predictions, accuracy)
}

/// Training (learning on), labelling on the training images (learning off), then the test.
/// `progress(images_done, network)` is called after every training image; `false` stops.
pub fn train_and_test(
    params: Params,
    train: &Dataset,
    test: &Dataset,
    seed: u64,
    mut progress: impl FnMut(usize, &Network) -> bool,
) -> Outcome {
    let mut rng = stream(seed, 0);
    let mut network = Network::new(params, train.pixels(), &mut rng);
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
