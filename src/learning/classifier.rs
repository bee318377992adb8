//! The classifier task, one place for the CLI and the window: train the ReLU network (plainly, or
//! in bootstrap mode), convert it, and run the spiking network on the test images.
//!
//! Bootstrap mode alternates an ordinary epoch with one where the first hidden layer's
//! activations are the rates the converted network actually fires (measured on the training
//! images with the network as it is after the previous epoch), so training sees the spiking
//! network's errors. A plain network trained from the same start, in the same order, is kept
//! beside it for comparison.

use super::ann::{Mlp, Velocity};
use super::convert::{Evaluation, SpikingNet, evaluate};
use super::limit;
use crate::dataset::Dataset;
use crate::preset::learning::ConversionTask;
use crate::random::stream;

/// One epoch's figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Epoch {
    pub loss: f64,
    pub train_accuracy: f64,
    pub test_accuracy: f64,
    /// The epoch used the spiking network's activations (bootstrap mode).
    pub spiking: bool,
    /// The plain network's test accuracy after the same epoch (bootstrap mode).
    pub plain_test_accuracy: Option<f64>,
}

/// The trained, converted and evaluated classifier.
pub struct Classifier {
    pub net: Mlp,
    pub snn: SpikingNet,
    pub evaluation: Evaluation,
    pub ann_accuracy: f64,
    pub ann_predictions: Vec<u8>,
    /// The plain network's test accuracy (bootstrap mode).
    pub plain_accuracy: Option<f64>,
    pub train: Dataset,
    pub test: Dataset,
}

impl Classifier {
    /// The share of test images where the spiking network and the ANN give the same answer.
    pub fn agreement(&self) -> f64 {
        super::fraction_same(&self.evaluation.predictions, &self.ann_predictions)
    }
}

/// Runs the task; `on_epoch` sees each epoch and returns `false` to cancel (then `Ok(None)`).
pub fn run(
    task: &ConversionTask,
    seed: u64,
    mut on_epoch: impl FnMut(&Epoch) -> bool,
) -> Result<Option<Classifier>, String> {
    let split = task.source.load()?;
    let (train, test) = (limit(&split.train, task.train_images), limit(&split.test, task.test_images));
    let mut rng = stream(seed, 0);
    let mut net = Mlp::new(&[train.pixels(), task.training.hidden as usize, 10], &mut rng);
    let mut velocity = Velocity::for_net(&net);
    // The plain twin: same start, same shuffles.
    let mut plain = task.bootstrap.then(|| (net.clone(), Velocity::for_net(&net), rng.clone()));
    for epoch in 1..=task.training.epochs {
        let spiking = task.bootstrap && epoch % 2 == 0;
        let hidden = if spiking {
            let snn = SpikingNet::convert(&net, &train, task.simulation.percentile);
            Some(snn.measured_activations(&task.simulation, &train, seed + epoch as u64)?)
        } else {
            None
        };
        let loss = net.train_epoch_with(&train, &task.training, &mut velocity, &mut rng, hidden.as_deref());
        let plain_test_accuracy = plain.as_mut().map(|(p, v, r)| {
            p.train_epoch(&train, &task.training, v, r);
            p.accuracy(&test)
        });
        let figures = Epoch {
            loss,
            train_accuracy: net.accuracy(&train),
            test_accuracy: net.accuracy(&test),
            spiking,
            plain_test_accuracy,
        };
        if !on_epoch(&figures) {
            return Ok(None);
        }
    }
    let snn = SpikingNet::convert(&net, &train, task.simulation.percentile);
    let evaluation = evaluate(&snn, &task.simulation, &test, seed)?;
    Ok(Some(Classifier {
        ann_accuracy: net.accuracy(&test),
        ann_predictions: net.predict(&test),
        plain_accuracy: plain.map(|(p, _, _)| p.accuracy(&test)),
        net,
        snn,
        evaluation,
        train,
        test,
    }))
}
