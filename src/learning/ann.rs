//! A small ReLU network trained with mini-batch SGD and momentum on softmax cross-entropy: the
//! analogue network that [`super::convert`] turns into spiking layers.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::dataset::Dataset;
use crate::preset::learning::Training;
use crate::random::{Rng, normal};
use rand::RngExt;

/// One fully connected layer: `y = W x + b`, `W` is outputs x inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    pub w: Array2<f32>,
    pub b: Array1<f32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub layers: Vec<Dense>,
}

/// The images of `data` as a batch matrix, one row per image.
pub fn batch_of(data: &Dataset, indices: &[usize]) -> Array2<f32> {
    let mut x = Array2::zeros((indices.len(), data.pixels()));
    for (row, &i) in indices.iter().enumerate() {
        x.row_mut(row).assign(&ndarray::ArrayView1::from(&data.images[i]));
    }
    x
}

impl Mlp {
    /// He-initialised layers of the given sizes (inputs first).
    pub fn new(sizes: &[usize], rng: &mut Rng) -> Self {
        let layers = sizes
            .windows(2)
            .map(|s| {
                let scale = (2.0 / s[0] as f64).sqrt();
                Dense {
                    w: Array2::from_shape_fn((s[1], s[0]), |_| (scale * normal(rng)) as f32),
                    b: Array1::zeros(s[1]),
                }
            })
            .collect();
        Self { layers }
    }

    /// Every layer's output for a batch (rows are images): ReLU on hidden layers, the last is
    /// the logits.
    pub fn forward(&self, x: ArrayView2<f32>) -> Vec<Array2<f32>> {
        self.forward_with(x, None)
    }

    /// [`Mlp::forward`] with the first layer's output given instead of computed (bootstrap
    /// training puts the spiking network's measured activations there).
    fn forward_with(&self, x: ArrayView2<f32>, first: Option<Array2<f32>>) -> Vec<Array2<f32>> {
        let mut outputs: Vec<Array2<f32>> = Vec::with_capacity(self.layers.len());
        outputs.extend(first);
        for (l, layer) in self.layers.iter().enumerate().skip(outputs.len()) {
            let input = if l == 0 { x } else { outputs[l - 1].view() };
            let mut y = input.dot(&layer.w.t()) + &layer.b;
            if l + 1 < self.layers.len() {
                y.mapv_inplace(|v| v.max(0.0));
            }
            outputs.push(y);
        }
        outputs
    }

    pub fn predict(&self, data: &Dataset) -> Vec<u8> {
        let x = batch_of(data, &(0..data.len()).collect::<Vec<_>>());
        let logits = self.forward(x.view()).pop().expect("at least one layer");
        logits.rows().into_iter().map(|r| argmax(r.iter().copied()) as u8).collect()
    }

    pub fn accuracy(&self, data: &Dataset) -> f64 {
        let predicted = self.predict(data);
        super::fraction_same(&predicted, &data.labels)
    }

    /// One epoch of SGD with momentum over `data` in a shuffled order; returns the mean loss.
    pub fn train_epoch(&mut self, data: &Dataset, training: &Training, velocity: &mut Velocity, rng: &mut Rng) -> f64 {
        self.train_epoch_with(data, training, velocity, rng, None)
    }

    /// [`Mlp::train_epoch`], with the first hidden layer's activation of image `i` taken from
    /// `hidden[i]` when given; then only the layers above it learn.
    pub fn train_epoch_with(
        &mut self,
        data: &Dataset,
        training: &Training,
        velocity: &mut Velocity,
        rng: &mut Rng,
        hidden: Option<&[Vec<f32>]>,
    ) -> f64 {
        let mut order: Vec<usize> = (0..data.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let mut total = 0.0;
        for chunk in order.chunks(training.batch as usize) {
            let x = batch_of(data, chunk);
            let first = hidden.map(|h| {
                let mut a = Array2::zeros((chunk.len(), h[0].len()));
                for (row, &i) in chunk.iter().enumerate() {
                    a.row_mut(row).assign(&ndarray::ArrayView1::from(&h[i]));
                }
                a
            });
            let outputs = self.forward_with(x.view(), first);
            // Softmax cross-entropy: the gradient at the logits is p - onehot.
            let mut delta = outputs.last().expect("layers").clone();
            for (mut row, &i) in delta.rows_mut().into_iter().zip(chunk) {
                let max = row.fold(f32::MIN, |m, &v| m.max(v));
                row.mapv_inplace(|v| (v - max).exp());
                let sum = row.sum();
                row /= sum;
                let label = data.labels[i] as usize;
                total -= (row[label].max(1e-12) as f64).ln();
                row[label] -= 1.0;
            }
            delta /= chunk.len() as f32;
            // Given activations were not made by the first layer: it keeps its weights.
            let lowest = usize::from(hidden.is_some());
            for l in (lowest..self.layers.len()).rev() {
                let input = if l == 0 { x.view() } else { outputs[l - 1].view() };
                let grad_w = delta.t().dot(&input);
                let grad_b = delta.sum_axis(Axis(0));
                if l > 0 {
                    let mut back = delta.dot(&self.layers[l].w);
                    back.zip_mut_with(&outputs[l - 1], |d, &a| {
                        if a <= 0.0 {
                            *d = 0.0
                        }
                    });
                    delta = back;
                }
                let (lr, mu) = (training.learning_rate as f32, training.momentum as f32);
                let (vw, vb) = &mut velocity.layers[l];
                *vw = &*vw * mu - &(grad_w * lr);
                *vb = &*vb * mu - &(grad_b * lr);
                self.layers[l].w += &*vw;
                self.layers[l].b += &*vb;
            }
        }
        total / data.len().max(1) as f64
    }
}

/// Momentum buffers, one pair per layer.
pub struct Velocity {
    layers: Vec<(Array2<f32>, Array1<f32>)>,
}

impl Velocity {
    pub fn for_net(net: &Mlp) -> Self {
        Self { layers: net.layers.iter().map(|l| (Array2::zeros(l.w.raw_dim()), Array1::zeros(l.b.len()))).collect() }
    }
}

/// Index of the largest value (the first on ties).
pub fn argmax(values: impl IntoIterator<Item = f32>) -> usize {
    let mut best = (0, f32::MIN);
    for (i, v) in values.into_iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}
