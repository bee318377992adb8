//! The learning lab: the digits data and IDX files, the spike encoders' statistics, the ANN and
//! its conversion to a spiking network, and unsupervised STDP learning.

use spikelab::dataset::{digits, digits_split, read_idx_pair, write_idx_pair};
use spikelab::learning::ann::{Mlp, Velocity};
use spikelab::learning::convert::{SpikingNet, evaluate};
use spikelab::learning::unsupervised::{assign_labels, classify, train_and_test};
use spikelab::preset::learning::SpikingRun;
use spikelab::preset::learning::Training;
use spikelab::preset::learning::UnsupervisedParams;
use spikelab::random::{seeded, stream};
use spikelab::stimulus::encode::Encoder;

#[test]
fn the_bundled_digits_are_the_uci_set_with_a_fixed_split() {
    let all = digits();
    assert_eq!((all.len(), all.width, all.height), (1797, 8, 8));
    let mut per_class = [0; 10];
    all.labels.iter().for_each(|&l| per_class[l as usize] += 1);
    // The class sizes of the UCI test part as scikit-learn documents them.
    assert_eq!(per_class, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    assert!(all.images.iter().flatten().all(|&p| (0.0..=1.0).contains(&p)));
    assert_eq!(all.labels[..4], [0, 1, 2, 3]);
    let split = digits_split();
    assert_eq!((split.train.len(), split.test.len()), (1348, 449));
    assert_eq!(split.test.images[0], all.images[3], "image 3 is the first test image");
}

#[test]
fn idx_files_round_trip_and_a_corrupt_file_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (images, labels) = (dir.path().join("images.idx3"), dir.path().join("labels.idx1"));
    let data = digits().head(25);
    write_idx_pair(&data, &images, &labels).unwrap();
    let back = read_idx_pair(&images, &labels).unwrap();
    assert_eq!((back.len(), back.width, back.height), (25, 8, 8));
    assert_eq!(back.labels, data.labels);
    for (a, b) in back.images.iter().flatten().zip(data.images.iter().flatten()) {
        assert!((a - b).abs() <= 0.5 / 255.0 + 1e-6, "{a} vs {b}");
    }

    let bytes = std::fs::read(&images).unwrap();
    std::fs::write(&images, &bytes[..bytes.len() - 7]).unwrap();
    let err = read_idx_pair(&images, &labels).unwrap_err();
    assert!(err.contains("images.idx3") && err.contains("need 1600 data bytes, the file has 1593"), "{err}");
    std::fs::write(&images, b"PK\x03\x04 not idx").unwrap();
    let err = read_idx_pair(&images, &labels).unwrap_err();
    assert!(err.contains("not an IDX file"), "{err}");
    std::fs::write(&images, &bytes).unwrap();
    write_idx_pair(&digits().head(24), &dir.path().join("x"), &labels).unwrap();
    let err = read_idx_pair(&images, &labels).unwrap_err();
    assert!(err.contains("25 images") && err.contains("24 labels"), "{err}");
    let err = read_idx_pair(&dir.path().join("missing"), &labels).unwrap_err();
    assert!(err.contains("cannot read"), "{err}");
}

/// Mean and variance of each pixel's spike count over `trials` encodings.
fn count_stats(encoder: Encoder, image: &[f32], duration_ms: f64, trials: u64) -> Vec<(f64, f64)> {
    let counts: Vec<Vec<f64>> = (0..trials)
        .map(|k| encoder.encode(image, duration_ms, &mut stream(7, k)).iter().map(|t| t.len() as f64).collect())
        .collect();
    (0..image.len())
        .map(|i| {
            let mean = counts.iter().map(|c| c[i]).sum::<f64>() / trials as f64;
            let var = counts.iter().map(|c| (c[i] - mean).powi(2)).sum::<f64>() / (trials - 1) as f64;
            (mean, var)
        })
        .collect()
}

#[test]
fn rate_codes_carry_the_intensity_in_their_counts() {
    let image = [0.0f32, 0.25, 0.5, 1.0];
    // Poisson at up to 100 Hz for 1 s: count ~ Poisson(100 x): mean = variance.
    for (&x, (mean, var)) in image.iter().zip(count_stats(Encoder::Poisson { max_rate_hz: 100.0 }, &image, 1000.0, 800))
    {
        let expected = 100.0 * x as f64;
        let se = (expected / 800.0).sqrt();
        assert!((mean - expected).abs() <= 4.0 * se + 1e-12, "Poisson x = {x}: mean {mean}");
        assert!((var - expected).abs() <= 0.15 * expected + 1e-12, "Poisson x = {x}: variance {var}");
    }
    // Bernoulli: 200 coins with p = 0.5 x: binomial mean and variance.
    let bernoulli = Encoder::Bernoulli { p_max: 0.5, step_ms: 1.0 };
    for (&x, (mean, var)) in image.iter().zip(count_stats(bernoulli, &image, 200.0, 800)) {
        let p = 0.5 * x as f64;
        let (m, v) = (200.0 * p, 200.0 * p * (1.0 - p));
        assert!((mean - m).abs() <= 4.0 * (v / 800.0).sqrt() + 1e-12, "Bernoulli x = {x}: mean {mean}");
        assert!((var - v).abs() <= 0.15 * v + 1e-12, "Bernoulli x = {x}: variance {var}");
    }
    // Regular: exactly round(100 x) spikes a period apart, the first half a period in.
    let trains = Encoder::Regular { max_rate_hz: 100.0 }.encode(&image, 1000.0, &mut seeded(1));
    for (&x, times) in image.iter().zip(&trains) {
        assert_eq!(times.len(), (100.0 * x as f64).round() as usize);
        if let [first, rest @ ..] = times.as_slice() {
            let period = 10.0 / x as f64;
            assert!((first - period / 2.0).abs() < 1e-9);
            assert!(rest.iter().zip(times.iter()).all(|(b, a)| (b - a - period).abs() < 1e-9));
        }
    }
    // Decoding a long Poisson code gives the image back.
    let digit = &digits().images[0];
    let poisson = Encoder::Poisson { max_rate_hz: 200.0 };
    let decoded = poisson.decode(&poisson.encode(digit, 20_000.0, &mut seeded(3)), 20_000.0);
    for (&x, &d) in digit.iter().zip(&decoded) {
        // The count is Poisson with mean 4000 x: the decoded value's sd is sqrt(x / 4000).
        let sd = (x as f64 / 4000.0).sqrt();
        assert!(((x - d).abs() as f64) <= 4.5 * sd + 1e-6, "pixel {x} decoded as {d}");
    }
}

#[test]
fn latency_and_rank_order_codes_put_bright_pixels_first() {
    let digit = &digits().images[5];
    let latency = Encoder::Latency { t_max_ms: 50.0, threshold: 0.05 };
    let trains = latency.encode(digit, 100.0, &mut seeded(1));
    for (&x, times) in digit.iter().zip(&trains) {
        if x as f64 > 0.05 {
            assert_eq!(times.len(), 1);
            assert!((times[0] - 50.0 * (1.0 - x as f64)).abs() < 1e-9, "t = t_max (1 - x)");
        } else {
            assert!(times.is_empty(), "dim pixels stay silent");
        }
    }
    let decoded = latency.decode(&trains, 100.0);
    for (&x, &d) in digit.iter().zip(&decoded) {
        assert!(if x as f64 > 0.05 { (x - d).abs() < 1e-6 } else { d == 0.0 });
    }

    let rank = Encoder::RankOrder { interval_ms: 1.0, threshold: 0.05 };
    let trains = rank.encode(digit, 100.0, &mut seeded(1));
    let mut ranks: Vec<(usize, usize)> =
        trains.iter().enumerate().filter(|(_, t)| !t.is_empty()).map(|(i, t)| (t[0].round() as usize, i)).collect();
    let above = digit.iter().filter(|&&x| x as f64 > 0.05).count();
    ranks.sort();
    assert_eq!(ranks.iter().map(|r| r.0).collect::<Vec<_>>(), (0..above).collect::<Vec<_>>(), "a permutation");
    assert!(trains.iter().all(|t| t.len() <= 1), "one spike per pixel");
    assert!(ranks.windows(2).all(|w| digit[w[0].1] >= digit[w[1].1]), "brightest first");
}

#[test]
fn the_converted_network_keeps_the_anns_answers_and_accuracy() {
    let split = digits_split();
    let training = Training::default();
    let mut rng = stream(1, 0);
    let mut net = Mlp::new(&[64, 100, 10], &mut rng);
    let mut velocity = Velocity::for_net(&net);
    let first_loss = net.train_epoch(&split.train, &training, &mut velocity, &mut rng);
    for _ in 1..training.epochs {
        net.train_epoch(&split.train, &training, &mut velocity, &mut rng);
    }
    let last_loss = net.train_epoch(&split.train, &training, &mut velocity, &mut rng);
    assert!(last_loss < 0.1 * first_loss, "loss {first_loss} -> {last_loss}");
    let ann = net.accuracy(&split.test);
    assert!(ann >= 0.95, "ANN test accuracy {ann}");

    let snn = SpikingNet::convert(&net, &split.train, 99.9);
    let sim = SpikingRun {
        encoder: Encoder::Poisson { max_rate_hz: 1000.0 },
        dt_ms: 1.0,
        duration_ms: 200.0,
        percentile: 99.9,
    };
    let evaluation = evaluate(&snn, &sim, &split.test, 1).unwrap();
    let acc = evaluation.accuracy();
    assert!(acc >= ann - 0.02, "SNN {acc} vs ANN {ann}");
    let ann_predictions = net.predict(&split.test);
    let agree = evaluation.predictions.iter().zip(&ann_predictions).filter(|(a, b)| a == b).count();
    assert!(agree as f64 >= 0.95 * split.test.len() as f64, "{agree} of {} agree", split.test.len());
    let by_step = &evaluation.accuracy_by_step;
    assert!(by_step[4] < acc - 0.05, "accuracy grows with time: {} at 5 ms, {acc} at 200 ms", by_step[4]);
    assert_eq!(evaluation.confusion.iter().flatten().sum::<u32>() as usize, split.test.len());
    let diagonal: u32 = (0..10).map(|k| evaluation.confusion[k][k]).sum();
    assert!((diagonal as f64 / split.test.len() as f64 - acc).abs() < 1e-12);
    assert_eq!(evaluate(&snn, &sim, &split.test, 1).unwrap(), evaluation, "same seed, same run");

    // One spike per unit per step at most: the normalised top activation maps to about that.
    let response =
        snn.run(&sim.encoder.encode(&split.test.images[0], 200.0, &mut seeded(2)), 1.0, 200, 1.0, true).unwrap();
    assert!(response.counts.iter().skip(1).flatten().all(|&c| c <= 200));
    assert_eq!(response.raster.unwrap()[2].len() as u32, response.counts[2].iter().sum::<u32>());
}

#[test]
fn labels_go_to_the_class_a_neuron_answers_most_and_votes_average_over_neurons() {
    // Neuron 0 answers class 1, neuron 1 class 0 (per image, not in total).
    let responses = vec![vec![1, 5], vec![1, 4], vec![4, 0], vec![0, 9]];
    let labels = [0, 0, 1, 2];
    assert_eq!(assign_labels(&responses, &labels), vec![1, 2]);
    // Three neurons of class 3 firing 1 each lose against one neuron of class 7 firing 2.
    assert_eq!(classify(&[1, 1, 1, 2], &[3, 3, 3, 7]), 7);
}

#[test]
fn stdp_learns_digits_without_labels_far_above_chance() {
    // A CI-sized run: 50 neurons, 300 training digits shown once.
    let split = digits_split();
    let params = UnsupervisedParams { neurons: 50, ..UnsupervisedParams::default() };
    let mut seen = 0;
    let outcome = train_and_test(params, None, &split.train.head(300), &split.test, 1, |done, _| {
        seen = done;
        true
    });
    assert_eq!(seen, 300);
    assert!(outcome.test_accuracy >= 0.5, "accuracy {} (chance 0.1)", outcome.test_accuracy);
    let classes: std::collections::BTreeSet<u8> = outcome.assignments.iter().copied().collect();
    assert!(classes.len() >= 9, "neurons specialise on most classes: {classes:?}");
    for row in &outcome.network.weights() {
        let sum: f64 = row.iter().sum();
        assert!(row.iter().all(|&w| (0.0..=1.0).contains(&w)) && sum <= 6.0 + 1e-9, "bounded, normalised");
    }
}

#[test]
fn bootstrap_training_alternates_with_spiking_epochs_beside_the_plain_ann() {
    use spikelab::learning::classifier::{Epoch, run};
    use spikelab::preset::learning::Learning;
    let preset = spikelab::preset::Preset::load(std::path::Path::new("presets/learning/conversion.ron")).unwrap();
    let Some(Learning::Conversion(mut task)) = preset.learning else { panic!() };
    task.training.epochs = 8;
    let collect = |task: &spikelab::preset::learning::ConversionTask| {
        let mut epochs: Vec<Epoch> = Vec::new();
        let c = run(task, 1, |e| {
            epochs.push(*e);
            true
        });
        (epochs, c.unwrap().unwrap())
    };
    let (plain_epochs, plain) = collect(&task);
    task.bootstrap = true;
    let (epochs, boot) = collect(&task);
    assert_eq!(epochs.iter().map(|e| e.spiking).collect::<Vec<_>>(), [false, true].repeat(4));
    // The comparison curve is exactly the plain run's.
    for (b, p) in epochs.iter().zip(&plain_epochs) {
        assert_eq!(b.plain_test_accuracy, Some(p.test_accuracy));
    }
    assert_eq!(boot.plain_accuracy, Some(plain.ann_accuracy));
    assert_ne!(epochs[1].test_accuracy, plain_epochs[1].test_accuracy, "the spiking epoch trained differently");
    assert!(
        boot.ann_accuracy > 0.9 && boot.evaluation.accuracy() > 0.9,
        "{} {}",
        boot.ann_accuracy,
        boot.evaluation.accuracy()
    );
}
