//! Learning tasks: a preset's `learning` section replaces the free-running simulation with a
//! task that presents inputs, measures the response and updates weights, trial by trial.

pub mod ann;
pub mod classifier;
pub mod convert;
pub mod headless;
pub mod tempotron;
pub mod unsupervised;

/// The share of positions where two lists of answers agree (0 for empty lists).
pub fn fraction_same(a: &[u8], b: &[u8]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len().max(1) as f64
}

/// `confusion[true][predicted]` counts.
pub fn confusion(predictions: &[u8], labels: &[u8]) -> [[u32; 10]; 10] {
    let mut confusion = [[0u32; 10]; 10];
    for (&p, &l) in predictions.iter().zip(labels) {
        confusion[l as usize][p as usize] += 1;
    }
    confusion
}

/// The first `n` images of a set, or all of it.
pub(crate) fn limit(data: &crate::dataset::Dataset, n: Option<u32>) -> crate::dataset::Dataset {
    match n {
        Some(n) => data.head(n as usize),
        None => data.clone(),
    }
}

/// Trains and tests `preset`'s task from its seed, quietly: the test accuracy (what a learning
/// sweep measures at each point).
pub fn test_accuracy(preset: &crate::preset::Preset) -> Result<f64, String> {
    use crate::preset::learning::Learning;
    match &preset.learning {
        Some(Learning::Unsupervised(task)) => {
            let (train, test) = unsupervised::images(task)?;
            let device = task.device.as_deref().cloned();
            Ok(unsupervised::train_and_test(task.network, device, &train, &test, preset.run.seed, |_, _| true)
                .test_accuracy)
        }
        Some(Learning::Conversion(task)) => {
            let trained = classifier::run(task, preset.run.seed, |_| true)?;
            Ok(trained.expect("never cancelled").evaluation.accuracy())
        }
        _ => Err("only a learning task with a test set (conversion, unsupervised) has a test accuracy".into()),
    }
}
