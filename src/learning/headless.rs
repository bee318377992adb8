//! `spikelab run` on a learning preset: run the task, then the files it writes and its summary.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{classifier, tempotron, unsupervised};
use crate::figure::{Axis, Figure, of};
use crate::fsio::tidy_time;
use crate::preset::Preset;
use crate::preset::learning::{ConversionTask, EncodingTask, Learning, UnsupervisedTask};
use crate::random::stream;

/// What a task produced: files by name, the summary's task-specific fields, a one-line verdict.
pub struct Report {
    pub files: Vec<(String, String)>,
    /// The task's figures by file stem (`spikelab run --figures`).
    pub figures: Vec<(&'static str, Figure)>,
    pub summary: serde_json::Map<String, Value>,
    pub verdict: String,
}

use crate::progress::Progress;

pub fn run(preset: &Preset, learning: &Learning) -> Result<Report, String> {
    match learning {
        Learning::Tempotron(task) => tempotron_report(preset, task),
        Learning::Encoding(task) => encoding_report(preset, task),
        Learning::Conversion(task) => conversion_report(preset, task),
        Learning::Unsupervised(task) => unsupervised_report(preset, task),
    }
}

fn object(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object"),
    }
}

/// `true,predicted` counts as CSV: one row per true class.
fn confusion_csv(confusion: &[[u32; 10]; 10]) -> String {
    let mut text = String::from("true,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9\n");
    for (t, row) in confusion.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(u32::to_string).collect();
        let _ = writeln!(text, "{t},{}", cells.join(","));
    }
    text
}

/// Every iteration's answers (iterations.csv), the final weights (weights_final.csv, post = 0),
/// the last iteration's V per pattern (trace.csv) and the input patterns (inputs.csv).
fn tempotron_report(preset: &Preset, task: &crate::preset::learning::Task) -> Result<Report, String> {
    let outcome = task.run(preset, |_| true)?;
    let mut rows = String::from("iteration,pattern,should_fire,spikes,correct,v_max_mv,w_mean,w_min,w_max\n");
    for (k, iteration) in outcome.iterations.iter().enumerate() {
        let w = &iteration.weights;
        let (lo, hi) = w.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        for (pattern, trial) in task.patterns.iter().zip(&iteration.trials) {
            let v_max = trial.v.iter().copied().fold(f64::MIN, f64::max);
            let (name, fire, n, ok) = (&pattern.name, pattern.fire, trial.spikes.len(), trial.correct);
            let _ = writeln!(rows, "{k},{name},{fire},{n},{ok},{v_max},{mean},{lo},{hi}");
        }
    }
    let last = outcome.iterations.last().expect("a run has at least one iteration");
    let mut weights = String::from("pre,post,weight\n");
    for (k, w) in last.weights.iter().enumerate() {
        let _ = writeln!(weights, "{k},0,{w}");
    }
    let names: Vec<String> = task.patterns.iter().map(|p| format!("{}.v", p.name)).collect();
    let mut trace = format!("t_ms,{}\n", names.join(","));
    for step in 0..last.trials[0].v.len() {
        let _ = write!(trace, "{}", tidy_time((step + 1) as f64 * preset.run.dt_ms));
        for trial in &last.trials {
            let _ = write!(trace, ",{}", trial.v[step]);
        }
        trace.push('\n');
    }
    let mut inputs = String::from("pattern,synapse,t_ms\n");
    for (pattern, trains) in task.patterns.iter().zip(&outcome.patterns) {
        for (k, times) in trains.iter().enumerate() {
            for t in times {
                let _ = writeln!(inputs, "{},{k},{}", pattern.name, tidy_time(*t));
            }
        }
    }
    let first = &outcome.iterations[0];
    let patterns: Vec<Value> = task
        .patterns
        .iter()
        .enumerate()
        .map(|(p, pattern)| {
            json!({
                "name": pattern.name,
                "should_fire": pattern.fire,
                "spikes_initial": first.trials[p].spikes.len(),
                "spikes_final": last.trials[p].spikes.len(),
                "correct": last.trials[p].correct,
            })
        })
        .collect();
    let correct = last.trials.iter().filter(|t| t.correct).count();
    let per_iteration = |f: &dyn Fn(&tempotron::Iteration) -> f64| -> Vec<[f64; 2]> {
        outcome.iterations.iter().enumerate().map(|(k, it)| [k as f64, f(it)]).collect()
    };
    let accuracy = per_iteration(&|it| it.trials.iter().filter(|t| t.correct).count() as f64 / it.trials.len() as f64);
    let mean_w = per_iteration(&|it| it.weights.iter().sum::<f64>() / it.weights.len() as f64);
    let potentials: Vec<(&str, Vec<[f64; 2]>)> = task
        .patterns
        .iter()
        .zip(&last.trials)
        .map(|(p, trial)| {
            let points = trial.v.iter().enumerate().map(|(k, &v)| [(k + 1) as f64 * preset.run.dt_ms, v]).collect();
            (p.name.as_str(), points)
        })
        .collect();
    let figures = vec![
        (
            "learning",
            of::curves(
                "tempotron learning",
                Axis::new("iteration", ""),
                vec![
                    ("patterns classified", Axis::new("fraction correct", ""), vec![("correct", accuracy)]),
                    ("weights", Axis::new("mean w", ""), vec![("mean w", mean_w)]),
                ],
            ),
        ),
        (
            "potentials",
            of::curves(
                "membrane potential per pattern after learning",
                Axis::new("t", "ms"),
                vec![("potential", Axis::new("V", "mV"), potentials)],
            ),
        ),
    ];
    let verdict = if outcome.converged() { "learned" } else { "not learned" };
    Ok(Report {
        files: vec![
            ("iterations.csv".into(), rows),
            ("weights_final.csv".into(), weights),
            ("trace.csv".into(), trace),
            ("inputs.csv".into(), inputs),
        ],
        figures,
        summary: object(json!({
            "converged": outcome.converged(),
            "updates": outcome.updates(),
            "accuracy": correct as f64 / last.trials.len() as f64,
            "patterns": patterns,
        })),
        verdict: format!("{verdict} after {} updates", outcome.updates()),
    })
}

/// The image's spikes (spikes.csv, neuron = pixel) and how well they give the image back.
fn encoding_report(preset: &Preset, task: &EncodingTask) -> Result<Report, String> {
    let split = task.source.load()?;
    let index = task.image as usize;
    let image = split.test.images.get(index).ok_or_else(|| {
        format!("learning.image: the test set has {} images, there is no image {index}", split.test.len())
    })?;
    let trains = task.encoder.encode(image, task.duration_ms, &mut stream(preset.run.seed, index as u64));
    let decoded = task.encoder.decode(&trains, task.duration_ms);
    let mut spikes: Vec<(f64, usize)> =
        trains.iter().enumerate().flat_map(|(i, t)| t.iter().map(move |&t| (t, i))).collect();
    spikes.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut csv = String::from("t_ms,neuron\n");
    for (t, i) in &spikes {
        let _ = writeln!(csv, "{},{i}", tidy_time(*t));
    }
    let mut pixels = String::from("pixel,intensity,decoded,spikes\n");
    for (i, (x, d)) in image.iter().zip(&decoded).enumerate() {
        let _ = writeln!(pixels, "{i},{x},{d},{}", trains[i].len());
    }
    let error = image.iter().zip(&decoded).map(|(x, d)| (x - d).abs() as f64).sum::<f64>() / image.len() as f64;
    Ok(Report {
        files: vec![("spikes.csv".into(), csv), ("pixels.csv".into(), pixels)],
        figures: vec![("spikes", of::trains("encoded image", &spikes, Axis::new("pixel", "")))],
        summary: object(json!({
            "label": split.test.labels[index],
            "encoder": task.encoder.name(),
            "spike_count": spikes.len(),
            "reconstruction_mae": error,
        })),
        verdict: format!("{} spikes, mean reconstruction error {error:.3}", spikes.len()),
    })
}

/// The ANN's training curve (training.csv), the SNN's accuracy by step (accuracy.csv) and its
/// confusion matrix (confusion.csv).
fn conversion_report(preset: &Preset, task: &ConversionTask) -> Result<Report, String> {
    let mut curve = String::from("epoch,loss,train_accuracy,test_accuracy,spiking,plain_test_accuracy\n");
    let (mut loss, mut train_acc, mut test_acc) = (Vec::new(), Vec::new(), Vec::new());
    let progress = Progress::items("training the ANN", task.training.epochs as usize, "epochs");
    let mut epoch = 0;
    let result = classifier::run(task, preset.run.seed, |e| {
        epoch += 1;
        let plain = e.plain_test_accuracy.map(|a| a.to_string()).unwrap_or_default();
        let _ = writeln!(curve, "{epoch},{},{},{},{},{plain}", e.loss, e.train_accuracy, e.test_accuracy, e.spiking);
        let x = epoch as f64;
        loss.push([x, e.loss]);
        train_acc.push([x, e.train_accuracy]);
        test_acc.push([x, e.test_accuracy]);
        progress.set(epoch);
        true
    })?;
    let c = result.expect("never cancelled");
    let agreement = c.agreement();
    let mut by_step = String::from("step,t_ms,accuracy\n");
    for (k, a) in c.evaluation.accuracy_by_step.iter().enumerate() {
        let _ = writeln!(by_step, "{},{},{a}", k + 1, tidy_time((k + 1) as f64 * task.simulation.dt_ms));
    }
    let mut summary = object(json!({
        "test_accuracy": c.evaluation.accuracy(),
        "ann_test_accuracy": c.ann_accuracy,
        "ann_train_accuracy": c.net.accuracy(&c.train),
        "agreement": agreement,
        "lambdas": c.snn.lambdas,
        "train_images": c.train.len(),
        "test_images": c.test.len(),
        "bootstrap": task.bootstrap,
    }));
    if let Some(plain) = c.plain_accuracy {
        summary.insert("plain_ann_test_accuracy".into(), plain.into());
    }
    Ok(Report {
        files: vec![
            ("training.csv".into(), curve),
            ("accuracy.csv".into(), by_step),
            ("confusion.csv".into(), confusion_csv(&c.evaluation.confusion)),
        ],
        figures: vec![
            (
                "learning",
                of::curves(
                    "training the network that is converted",
                    Axis::new("epoch", ""),
                    vec![
                        ("accuracy", Axis::new("accuracy", ""), vec![("train", train_acc), ("test", test_acc)]),
                        ("loss", Axis::new("loss", ""), vec![("loss", loss)]),
                    ],
                ),
            ),
            ("confusion", of::confusion(&c.evaluation.confusion)),
        ],
        summary,
        verdict: format!(
            "ANN {:.1}%, SNN {:.1}% on {} test images",
            100.0 * c.ann_accuracy,
            100.0 * c.evaluation.accuracy(),
            c.test.len()
        ),
    })
}

/// The learned weights (weights_final.csv: pre = pixel, post = neuron), each neuron's label
/// (assignments.csv) and the confusion matrix.
fn unsupervised_report(preset: &Preset, task: &UnsupervisedTask) -> Result<Report, String> {
    let (train, test) = unsupervised::images(task)?;
    let total = train.len() * task.network.epochs as usize;
    let progress = Progress::items("learning without labels", total, "images");
    let outcome = unsupervised::train_and_test(
        task.network,
        task.device.as_deref().cloned(),
        &train,
        &test,
        preset.run.seed,
        |done, _| {
            progress.set(done as u64);
            true
        },
    );
    let mut weights = String::from("pre,post,weight\n");
    for (j, row) in outcome.network.weights().iter().enumerate() {
        for (i, w) in row.iter().enumerate() {
            let _ = writeln!(weights, "{i},{j},{w}");
        }
    }
    let mut labels = String::from("neuron,label,theta_mv\n");
    for (j, (a, th)) in outcome.assignments.iter().zip(&outcome.network.theta()).enumerate() {
        let _ = writeln!(labels, "{j},{a},{th}");
    }
    let confusion = super::confusion(&outcome.predictions, &test.labels);
    Ok(Report {
        files: vec![
            ("weights_final.csv".into(), weights),
            ("assignments.csv".into(), labels),
            ("confusion.csv".into(), confusion_csv(&confusion)),
        ],
        figures: vec![("confusion", of::confusion(&confusion))],
        summary: object(json!({
            "test_accuracy": outcome.test_accuracy,
            "train_images": train.len(),
            "test_images": test.len(),
            "neurons": task.network.neurons,
            "epochs": task.network.epochs,
        })),
        verdict: format!(
            "{:.1}% of {} test images without labels in training",
            100.0 * outcome.test_accuracy,
            test.len()
        ),
    })
}
