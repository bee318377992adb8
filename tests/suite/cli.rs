//! The command-line contract of DESIGN.md, on real presets.

use std::process::Command;

fn spikelab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spikelab")).args(args).output().expect("binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn run_writes_the_documented_files() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let result = spikelab(&["run", "izhikevich-2003/rs", "--out", dir, "--duration-ms", "100", "--seed", "3"]);
    assert!(result.status.success(), "{}", text(&result.stderr));

    let spikes = std::fs::read_to_string(out.path().join("spikes.csv")).unwrap();
    let mut lines = spikes.lines();
    assert_eq!(lines.next(), Some("t_ms,neuron"));
    let times: Vec<f64> = lines.map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert!(!times.is_empty() && times.windows(2).all(|w| w[0] < w[1]), "spikes in time order");

    let trace = std::fs::read_to_string(out.path().join("trace.csv")).unwrap();
    assert_eq!(trace.lines().next(), Some("t_ms,0.v,0.u"));
    assert_eq!(trace.lines().count(), 1 + 1001, "header + t = 0 .. 100 ms at dt 0.1");
    assert!(trace.lines().nth(2).unwrap().starts_with("0.1,"));

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["spike_count"].as_u64().unwrap() as usize, times.len());
    assert_eq!(summary["seed"], 3);
    assert_eq!(summary["simulated_ms"], 100.0);
    assert_eq!(summary["effective"]["neuron"]["Izhikevich"]["d"], 8.0);
}

#[test]
fn set_changes_the_run_and_rejects_unknown_paths_and_bad_values() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let ok =
        spikelab(&["run", "izhikevich-2003/rs", "--out", dir, "--set", "neuron.d=2", "--set", "run.integrator=Euler"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let summary = std::fs::read_to_string(out.path().join("summary.json")).unwrap();
    assert!(summary.contains("\"d\": 2.0") && summary.contains("\"integrator\": \"Euler\""), "{summary}");

    let unknown = spikelab(&["run", "izhikevich-2003/rs", "--out", dir, "--set", "neuron.gain=2"]);
    assert_eq!(unknown.status.code(), Some(1));
    let err = text(&unknown.stderr);
    assert!(err.contains("unknown key `gain` in `neuron`") && err.contains("a, b, c, d"), "{err}");

    let range = spikelab(&["run", "izhikevich-2003/rs", "--out", dir, "--set", "neuron.c=100"]);
    assert_eq!(range.status.code(), Some(1));
    assert!(text(&range.stderr).contains("neuron.c"), "{}", text(&range.stderr));

    let malformed = spikelab(&["run", "izhikevich-2003/rs", "--out", dir, "--set", "neuron.d"]);
    assert_eq!(malformed.status.code(), Some(1));
    assert!(text(&malformed.stderr).contains("KEY=VALUE"));
}

#[test]
fn fi_prints_the_curve() {
    let result =
        spikelab(&["fi", "basics/lif_std", "--from", "100", "--to", "500", "--steps", "5", "--duration-ms", "500"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let out = text(&result.stdout);
    let mut lines = out.lines();
    assert!(lines.next().unwrap().starts_with("current,rate_hz"));
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').take(2).map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0], vec![100.0, 0.0], "below rheobase (200 pA) it is silent");
    assert!(rows[4][1] > rows[3][1] && rows[3][1] > 0.0);
}

#[test]
fn check_validates_files_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.ron");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/presets/izhikevich-2003/rs.ron"), &good).unwrap();
    let ok = spikelab(&["check", good.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));

    let bad = dir.path().join("bad.ron");
    let broken = std::fs::read_to_string(&good).unwrap().replace("a: 0.02", "alpha: 0.02");
    std::fs::write(&bad, broken).unwrap();
    let result = spikelab(&["check", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(1));
    let err = text(&result.stderr);
    assert!(err.contains("bad.ron:") && err.contains("field `alpha`"), "{err}");
}

#[test]
fn presets_lists_the_library() {
    let result = spikelab(&["presets"]);
    assert!(result.status.success());
    let out = text(&result.stdout);
    assert!(out.lines().count() >= 19);
    assert!(out.lines().any(|l| l.starts_with("izhikevich-2003/rs") && l.contains("Regular spiking")), "{out}");
}

#[test]
fn bench_prints_one_json_line() {
    let result = spikelab(&["bench", "--workload", "neuron_lif_rk4", "--bio", "1", "--seed", "1", "--threads", "1"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let out = text(&result.stdout);
    assert_eq!(out.lines().count(), 1);
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["workload"], "neuron_lif_rk4");
    assert!(line["spikes"].as_u64().unwrap() > 0);
    let unknown = spikelab(&["bench", "--workload", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown.stderr).contains("neuron_lif_euler"));
}

#[test]
fn a_stimulus_file_drives_another_neuron() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("train.ron");
    let mut s = spikelab::stimulus::Stimulus::default();
    s.add(spikelab::stimulus::Component::PulseTrain {
        start_ms: 10.0,
        count: 3,
        period_ms: 20.0,
        width_ms: 2.0,
        amplitude: 4000.0,
    });
    std::fs::write(&file, s.to_ron()).unwrap();
    let out = dir.path().join("out");
    let result = spikelab(&[
        "run",
        "basics/lif_std",
        "--stimulus",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--duration-ms",
        "100",
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("PulseTrain"), "the file's stimulus was used");
    let spikes = std::fs::read_to_string(out.join("spikes.csv")).unwrap();
    assert_eq!(spikes.lines().count() - 1, 3, "one spike per 4 nA pulse (40 mV in 2 ms on 200 pF):\n{spikes}");

    std::fs::write(&file, s.to_ron().replace("count: 3", "count: 0")).unwrap();
    let bad =
        spikelab(&["run", "basics/lif_std", "--stimulus", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).contains("train.ron:") && text(&bad.stderr).contains("components.0.count"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn a_network_run_reports_rates_per_population_and_records_the_listed_neurons() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let set = "network.projections.0.delay_ms.Integers.high=5";
    let result = spikelab(&["run", "networks/ee746_drn", "--out", dir, "--duration-ms", "200", "--set", set]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let spikes = std::fs::read_to_string(out.path().join("spikes.csv")).unwrap();
    let neurons: Vec<u32> = spikes.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).collect();
    let (e, i) = (neurons.iter().filter(|&&n| n < 400).count(), neurons.iter().filter(|&&n| n >= 400).count());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        (summary["spike_counts"]["E"].as_u64(), summary["spike_counts"]["I"].as_u64()),
        (Some(e as u64), Some(i as u64))
    );
    let rate_e = summary["rates_hz"]["E"].as_f64().unwrap();
    assert!((rate_e - e as f64 / 400.0 / 0.2).abs() < 1e-9);
    assert_eq!(summary["n_neurons"], 500);
    assert_eq!(summary["n_synapses"], 400 * 50 + 100 * 50);
    assert_eq!(summary["effective"]["network"]["projections"][0]["delay_ms"]["Integers"]["high"], 5);
    let trace = std::fs::read_to_string(out.path().join("trace.csv")).unwrap();
    assert_eq!(trace.lines().next(), Some("t_ms,0.v"));
}

#[test]
fn a_plastic_run_writes_weights_over_time_and_at_the_end() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let result = spikelab(&["run", "plasticity/song_abbott", "--out", dir, "--duration-ms", "2000"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let weights = std::fs::read_to_string(out.path().join("weights.csv")).unwrap();
    let mut lines = weights.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[..5], ["t_ms", "mean", "std", "min", "max"]);
    assert_eq!(header.len(), 5 + 20);
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|x| x.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 21, "t = 0 and every 100 ms (record_every 1000 steps)");
    assert!(rows.iter().all(|r| r[5..].iter().sum::<f64>() == 1000.0), "every synapse in a bin");
    let last = std::fs::read_to_string(out.path().join("weights_final.csv")).unwrap();
    let finals: Vec<f64> = last.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().parse().unwrap()).collect();
    assert_eq!(last.lines().next(), Some("pre,post,weight"));
    assert_eq!(finals.len(), 1000);
    let mean = finals.iter().sum::<f64>() / 1000.0 / 6.0; // w_max = 6 pA
    assert!((mean - rows[20][1]).abs() < 1e-9, "the final file and the last row agree");
}

#[test]
fn a_tempotron_task_runs_headless_and_reports_what_it_learned() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let result = spikelab(&["run", "plasticity/ee746_tempotron", "--out", dir]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let read = |name: &str| std::fs::read_to_string(out.path().join(name)).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&read("summary.json")).unwrap();
    assert_eq!((summary["converged"].as_bool(), summary["accuracy"].as_f64()), (Some(true), Some(1.0)));
    let updates = summary["updates"].as_u64().unwrap() as usize;
    let rows: Vec<Vec<String>> =
        read("iterations.csv").lines().skip(1).map(|l| l.split(',').map(String::from).collect()).collect();
    assert_eq!(rows.len(), 2 * (updates + 1), "two patterns per iteration");
    let last = &rows[rows.len() - 2..];
    assert_eq!((last[0][1].as_str(), last[0][4].as_str()), ("S1", "true"));
    assert_eq!(last[1][3], "0", "S2 silent at the end");
    assert_eq!(summary["patterns"][0]["spikes_final"].as_u64().unwrap().to_string(), last[0][3]);
    let weights: Vec<f64> =
        read("weights_final.csv").lines().skip(1).map(|l| l.rsplit(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(weights.len(), 100);
    assert!(weights.iter().all(|w| (10.0..=500.0).contains(w)));
    let mean = weights.iter().sum::<f64>() / 100.0;
    assert!((mean - last[0][6].parse::<f64>().unwrap()).abs() < 1e-9, "iterations.csv has the final mean weight");
    let trace = read("trace.csv");
    assert_eq!(trace.lines().next(), Some("t_ms,S1.v,S2.v"));
    assert_eq!(trace.lines().count(), 1 + 5000);
    assert!(read("inputs.csv").lines().skip(1).all(|l| l.starts_with("S1,") || l.starts_with("S2,")));
}

#[test]
fn learning_presets_run_headless_with_accuracy_in_the_summary() {
    let read_summary = |dir: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
    };
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let result = spikelab(&["run", "learning/conversion", "--out", dir, "--set", "learning.training.epochs=15"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(!text(&result.stderr).contains("training the ANN"), "no progress bar on a pipe");
    let summary = read_summary(out.path());
    let (snn, ann) = (summary["test_accuracy"].as_f64().unwrap(), summary["ann_test_accuracy"].as_f64().unwrap());
    assert!(ann > 0.9 && snn > 0.88 && snn <= 1.0, "ANN {ann}, SNN {snn}");
    let curve = std::fs::read_to_string(out.path().join("accuracy.csv")).unwrap();
    assert_eq!(curve.lines().count(), 1 + 200);
    let last: f64 = curve.lines().last().unwrap().rsplit(',').next().unwrap().parse().unwrap();
    assert_eq!(last, snn, "the summary's accuracy is the curve's end");

    // Unsupervised, small: deterministic for a seed.
    let args = |dir: &str| {
        let a = ["run", "learning/unsupervised", "--out", dir, "--set", "learning.train_images=150"];
        a.map(String::from).to_vec()
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        let argv = args(d.path().to_str().unwrap());
        let result = spikelab(&argv.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(result.status.success(), "{}", text(&result.stderr));
    }
    let (sa, sb) = (read_summary(a.path()), read_summary(b.path()));
    assert_eq!(sa["test_accuracy"], sb["test_accuracy"]);
    assert!(sa["test_accuracy"].as_f64().unwrap() > 0.3);
    assert_eq!(sa["train_images"], 150);
    let weights = std::fs::read_to_string(a.path().join("weights_final.csv")).unwrap();
    assert_eq!(weights.lines().count(), 1 + 64 * 100);
}

#[test]
fn learning_presets_read_mnist_idx_files_from_a_folder() {
    use spikelab::dataset::{digits_split, write_idx_pair};
    let data = tempfile::tempdir().unwrap();
    let split = digits_split();
    let file = |name: &str| data.path().join(name);
    write_idx_pair(&split.train.head(400), &file("train-images-idx3-ubyte"), &file("train-labels-idx1-ubyte")).unwrap();
    write_idx_pair(&split.test.head(100), &file("t10k-images-idx3-ubyte"), &file("t10k-labels-idx1-ubyte")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (dir, mnist) = (out.path().to_str().unwrap(), data.path().to_str().unwrap());
    let result = spikelab(&[
        "run",
        "learning/conversion",
        "--out",
        dir,
        "--mnist",
        mnist,
        "--set",
        "learning.training.epochs=10",
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!((summary["train_images"].as_u64(), summary["test_images"].as_u64()), (Some(400), Some(100)));
    assert!(summary["ann_test_accuracy"].as_f64().unwrap() > 0.8);
    assert!(
        summary["effective"]["learning"]["Conversion"]["source"]["Idx"]["test_images"]
            .as_str()
            .unwrap()
            .ends_with("t10k-images-idx3-ubyte")
    );

    // A missing file is named.
    std::fs::remove_file(file("t10k-labels-idx1-ubyte")).unwrap();
    let result = spikelab(&["run", "learning/conversion", "--out", dir, "--mnist", mnist]);
    assert!(!result.status.success());
    assert!(text(&result.stderr).contains("t10k-labels-idx1-ubyte"), "{}", text(&result.stderr));
    let result = spikelab(&["run", "plasticity/ee746_tempotron", "--out", dir, "--mnist", mnist]);
    assert!(text(&result.stderr).contains("does not use images"), "{}", text(&result.stderr));
}

#[test]
fn bench_and_run_give_the_same_spikes_for_every_workload() {
    // `spikelab bench --workload ID` is `spikelab run bench/ID`: the same engine, preset, seed
    // and duration give the same spikes (bench counts sources apart: the STDP inputs).
    for (id, ms) in [
        ("cuba", 100.0),
        ("coba", 50.0),
        ("izhnet_n1000", 100.0),
        ("izhnet_n10000", 20.0),
        ("hh", 20.0),
        ("brunel", 20.0),
        ("stdp_single", 500.0),
        ("stdp_net", 5.0),
    ] {
        let bio = format!("{}", ms / 1000.0);
        let bench = spikelab(&["bench", "--workload", id, "--bio", &bio, "--seed", "3", "--threads", "1"]);
        assert!(bench.status.success(), "{id}: {}", text(&bench.stderr));
        let line: serde_json::Value = serde_json::from_str(text(&bench.stdout).trim()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_str().unwrap();
        let run =
            spikelab(&["run", &format!("bench/{id}"), "--duration-ms", &ms.to_string(), "--seed", "3", "--out", out]);
        assert!(run.status.success(), "{id}: {}", text(&run.stderr));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap()).unwrap();
        let benched = line["spikes"].as_u64().unwrap() + line["input_spikes"].as_u64().unwrap_or(0);
        assert!(benched > 0, "{id}: {line}");
        assert_eq!(Some(benched), summary["spike_count"].as_u64(), "{id}: bench {line}, run {summary}");
        assert_eq!(line["n_synapses"], summary["n_synapses"], "{id}");
    }
}

/// Rows of a CSV file after its header, split into fields.
fn csv_rows(path: &std::path::Path) -> (String, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    (header, lines.map(|l| l.split(',').map(str::to_string).collect()).collect())
}

/// The points of the longest polyline drawn in `color` (an SVG made by plotters).
fn longest_polyline(svg: &str, color: &str) -> usize {
    svg.split("<polyline")
        .filter(|e| e.contains(&format!("stroke=\"{color}\"")))
        .filter_map(|e| Some(e.split("points=\"").nth(1)?.split('"').next()?.split_whitespace().count()))
        .max()
        .unwrap_or(0)
}

/// Pixels of a PNG that are not white.
fn inked_share(path: &std::path::Path) -> f64 {
    let image = image::open(path).unwrap().to_rgb8();
    let inked = image.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    inked as f64 / (image.width() * image.height()) as f64
}

#[test]
fn run_figures_draw_the_recorded_data_of_a_neuron_a_network_and_a_plastic_network() {
    let out = tempfile::tempdir().unwrap();
    let dir = |name: &str| out.path().join(name);
    for (preset, name, ms) in [
        ("izhikevich-2003/rs", "neuron", "150"),
        ("networks/brunel_ai", "network", "200"),
        ("plasticity/song_abbott", "plastic", "2000"),
    ] {
        let path = dir(name);
        let result = spikelab(&["run", preset, "--figures", "--duration-ms", ms, "--out", path.to_str().unwrap()]);
        assert!(result.status.success(), "{preset}: {}", text(&result.stderr));
    }

    // The neuron: the figure's membrane trace is the run's trace, and the SVG draws every point.
    let (header, trace) = csv_rows(&dir("neuron/trace.csv"));
    assert_eq!(header, "t_ms,0.v,0.u");
    let (header, drawn) = csv_rows(&dir("neuron/traces.csv"));
    assert_eq!(header, "series,t_ms,v_mV");
    let v: Vec<&Vec<String>> = drawn.iter().filter(|r| r[0] == "v").collect();
    assert_eq!(v.len(), trace.len());
    for (row, sample) in v.iter().zip(&trace) {
        assert_eq!(row[1].parse::<f64>().unwrap(), sample[0].parse::<f64>().unwrap());
        assert_eq!(row[2], sample[1]);
    }
    let spikes = csv_rows(&dir("neuron/spikes.csv")).1;
    assert_eq!(drawn.iter().filter(|r| r[0] == "spike").count(), spikes.len());
    let svg = std::fs::read_to_string(dir("neuron/traces.svg")).unwrap();
    assert_eq!(longest_polyline(&svg, "#1F77B4"), v.len(), "one drawn point per sample");
    assert!(svg.contains("t [ms]") && svg.contains("v [mV]"), "axis labels with units");
    for figure in ["traces", "fi", "phase_plane"] {
        assert!(inked_share(&dir(&format!("neuron/{figure}.png"))) > 0.02, "{figure}.png is drawn");
    }
    // The f-I figure's rates rise with the current (RS fires above its rheobase).
    let (header, fi) = csv_rows(&dir("neuron/fi.csv"));
    assert_eq!(header, "series,I_model_units,rate_Hz");
    let rates: Vec<f64> = fi.iter().filter(|r| r[0].starts_with("mean")).map(|r| r[2].parse().unwrap()).collect();
    assert_eq!(rates.len(), 21);
    assert!(rates[0] == 0.0 && rates[20] > 10.0 && rates.windows(2).all(|w| w[1] >= w[0]), "{rates:?}");

    // The network: the rate figure's bins add up to the run's spike count per population.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir("network/summary.json")).unwrap()).unwrap();
    let (header, rate) = csv_rows(&dir("network/raster-population-rate.csv"));
    assert_eq!(header, "series,t_ms,rate_Hz");
    for (pop, size) in [("E", 10_000.0), ("I", 2_500.0)] {
        let counted: f64 =
            rate.iter().filter(|r| r[0] == pop).map(|r| r[2].parse::<f64>().unwrap() * 5.0 * size / 1000.0).sum();
        let expected = summary["spike_counts"][pop].as_f64().unwrap();
        assert!((counted - expected).abs() < 1e-6 * expected, "{pop}: {counted} vs {expected}");
    }
    assert!(inked_share(&dir("network/raster.png")) > 0.05);

    // The plastic network: the final histogram counts every plastic synapse.
    let synapses = csv_rows(&dir("plastic/weights_final.csv")).1.len();
    let (header, bins) = csv_rows(&dir("plastic/weights-final-weights.csv"));
    assert_eq!(header, "series,w_per_w_max,synapses");
    assert_eq!(bins.iter().map(|r| r[2].parse::<f64>().unwrap()).sum::<f64>() as usize, synapses);
    assert!(std::fs::read_to_string(dir("plastic/weights.svg")).unwrap().contains("w / w_max"));
}

#[test]
fn every_option_that_takes_a_number_takes_a_negative_one() {
    // The key for seed 1, then that key typed as a student types it: a negative number.
    let revealed = spikelab(&["lesson", "check", "03-mystery-lif", "--step", "1", "--reveal"]);
    assert!(revealed.status.success(), "{}", text(&revealed.stderr));
    let key: serde_json::Value = serde_json::from_slice(&revealed.stdout).unwrap();
    let expected = key["expected"].as_f64().unwrap();
    assert!(expected < 0.0, "a resting potential: {expected}");
    let answer = format!("{expected}");
    let judged = spikelab(&["lesson", "check", "03-mystery-lif", "--step", "1", "--answer", &answer]);
    assert!(judged.status.success(), "{}", text(&judged.stderr));
    let verdict: serde_json::Value = serde_json::from_slice(&judged.stdout).unwrap();
    assert_eq!(verdict["correct"], true, "{verdict}");

    let fi = spikelab(&["fi", "izhikevich-2003/rs", "--from", "-5", "--to", "10", "--steps", "3"]);
    assert!(fi.status.success(), "{}", text(&fi.stderr));
    let currents: Vec<f64> =
        text(&fi.stdout).lines().skip(1).map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(currents, [-5.0, 2.5, 10.0]);

    // A negative duration parses, and is refused as a value, by its field.
    let run = spikelab(&["run", "izhikevich-2003/rs", "--duration-ms", "-5", "--out", "/nonexistent"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("duration_ms"), "{}", text(&run.stderr));
}

#[test]
fn check_knows_every_file_kind_and_walks_folders() {
    let root = env!("CARGO_MANIFEST_DIR");
    let all = spikelab(&["check", &format!("{root}/presets"), &format!("{root}/lessons")]);
    assert!(all.status.success(), "{}", text(&all.stderr));
    let out = text(&all.stdout);
    let kind_of =
        |file: &str| out.lines().find(|l| l.contains(file)).map(|l| l.rsplit('(').next().unwrap().to_string());
    assert_eq!(kind_of("presets/stimuli/sine.ron").as_deref(), Some("stimulus)"), "{out}");
    assert_eq!(kind_of("presets/basics/lif_std.ron").as_deref(), Some("preset)"));
    assert_eq!(kind_of("lessons/03-mystery-lif").as_deref(), Some("lesson)"));
    assert_eq!(kind_of("presets/devices/ag_a_si.ron").as_deref(), Some("device)"));
    let presets = std::fs::read_dir(format!("{root}/presets"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .count();
    assert_eq!(out.lines().filter(|l| l.contains("/presets/")).count(), presets, "every file under presets/");
    let lessons = std::fs::read_dir(format!("{root}/lessons")).unwrap().count();
    assert_eq!(out.lines().filter(|l| l.ends_with("(lesson)")).count(), lessons, "every bundled lesson, once");

    // A session and a CSV curve are told apart by their content and ending; their errors name
    // the file and line.
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session.ron");
    std::fs::write(&session, "(view: \"traces\", zoom: 1.0, recent: [])").unwrap();
    let curve = dir.path().join("curve.csv");
    std::fs::write(&curve, "t_ms,value\n0,1\n5,2\n").unwrap();
    let good = spikelab(&["check", dir.path().to_str().unwrap()]);
    assert!(good.status.success(), "{}", text(&good.stderr));
    assert!(
        text(&good.stdout).contains("session.ron (session)")
            && text(&good.stdout).contains("curve.csv (stimulus curve)")
    );
    std::fs::write(&curve, "t_ms,value\n0,1\n5,x\n").unwrap();
    std::fs::write(&session, "(view: \"traces\", zoom: \"big\", recent: [])").unwrap();
    let bad = spikelab(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    let err = text(&bad.stderr);
    assert!(err.contains("curve.csv: line 3"), "{err}");
    assert!(err.contains("session.ron:1") && err.contains("zoom"), "{err}");
    let missing = spikelab(&["check", "/nonexistent/folder"]);
    assert!(text(&missing.stderr).contains("/nonexistent/folder: no such file or folder"));
}

/// A long job shows its progress on a terminal: simulated time, speed and the time left (the
/// same run on a pipe shows none of it, above).
#[test]
fn a_run_shows_its_progress_on_a_terminal() {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize { ws_row: 40, ws_col: 160, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: openpty writes two new descriptors, owned below.
    let opened = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
    assert_eq!(opened, 0, "a pseudo-terminal");
    // SAFETY: each descriptor is owned once.
    let (master, slave) = unsafe { (std::fs::File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_spikelab"))
        .args(["run", "networks/brunel_ai", "--duration-ms", "400", "--out", out.path().to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::from(slave))
        .spawn()
        .unwrap();
    let reader = std::thread::spawn(move || {
        let (mut master, mut seen) = (master, Vec::new());
        let mut chunk = [0u8; 4096];
        // The terminal's reads end with an error once the child and its copy are gone.
        while let Ok(n @ 1..) = master.read(&mut chunk) {
            seen.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8_lossy(&seen).to_string()
    });
    assert!(child.wait().unwrap().success());
    let shown = reader.join().unwrap();
    assert!(shown.contains("ms simulated") && shown.contains("x real time") && shown.contains("left"), "{shown}");
    assert!(shown.contains("/400 ms simulated"), "the whole run's length: {shown}");
}

#[test]
fn device_writes_its_pulse_response_and_the_window_through_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ag");
    let result = spikelab(&[
        "device",
        "ag_a_si",
        "--devices",
        "2",
        "--trials",
        "50",
        "--set",
        "variation.d2d=0.2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stderr).contains("96 pulses span the range"), "{}", text(&result.stderr));
    let (header, rows) = csv_rows(&out.join("pulses.csv"));
    assert_eq!(header, "cycle,pulse,direction,device,g_us,w");
    // Two devices, each a start and two cycles of 96 pulses up and 96 down.
    assert_eq!(rows.len(), 2 * (1 + 2 * 2 * 96));
    let g = |row: &Vec<String>| row[4].parse::<f64>().unwrap();
    let first: Vec<&Vec<String>> = rows.iter().filter(|r| r[3] == "0").collect();
    let floor = first.iter().map(|r| g(r)).fold(f64::MAX, f64::min);
    assert_eq!((first[0][1].as_str(), g(first[0])), ("0", floor), "the start, at its own G_min");
    // Device-to-device spread: the two devices' tops differ.
    let top = |d: &str| rows.iter().filter(|r| r[3] == d).map(g).fold(0.0, f64::max);
    assert!(top("0") != top("1"));
    let (header, rows) = csv_rows(&out.join("window.csv"));
    assert_eq!(header, "dt_ms,g0_fraction,dw_mean,dw_sd");
    assert_eq!(rows.len(), 3 * 201);
    let dw = |dt: &str, g0: &str| rows.iter().find(|r| r[0] == dt && r[1] == g0).unwrap()[2].parse::<f64>().unwrap();
    // Through Ag:a-Si's saturating curve potentiation is larger near G_min, depression near G_max.
    assert!(dw("1", "0.1") > dw("1", "0.9") && dw("-1", "0.9") < dw("-1", "0.1"));

    let bad = spikelab(&["device", "ag_a_si", "--set", "curve.levels=1", "--out", out.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("curve.levels"), "{}", text(&bad.stderr));
    let listed = text(&spikelab(&["presets"]).stdout);
    assert!(listed.lines().any(|l| l.starts_with("devices/cbram") && l.contains("CBRAM")), "{listed}");

    // A run on devices draws the device among its figures: the same devices as `device` with
    // the same seed draws.
    let run = dir.path().join("run");
    let result = spikelab(&[
        "run",
        "plasticity/song_abbott_device",
        "--figures",
        "--duration-ms",
        "100",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let plain = dir.path().join("plain");
    assert!(spikelab(&["device", "ag_a_si", "--trials", "2", "--out", plain.to_str().unwrap()]).status.success());
    let (_, drawn) = csv_rows(&run.join("device.csv"));
    let (_, written) = csv_rows(&plain.join("pulses.csv"));
    let first: Vec<&String> = drawn.iter().filter(|r| r[0] == "device 1").map(|r| &r[2]).collect();
    let device0: Vec<&String> = written.iter().filter(|r| r[3] == "0").map(|r| &r[4]).collect();
    assert_eq!(first, device0);
    assert!(inked_share(&run.join("device.png")) > 0.02, "device.png is drawn");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    assert!(summary["device_pulses"].as_u64().unwrap() > 0, "{summary}");
}

#[test]
fn a_learning_sweep_writes_each_seeds_test_accuracy_as_run_reports_it() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let levels = "learning.Unsupervised.device.device.curve.Linear.levels";
    let small = "learning.train_images=150";
    let x = format!("{levels}=4,64");
    let result = spikelab(&["sweep", "sweeps/device_levels", "--x", &x, "--seeds", "2", "--set", small, "--out", dir]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stdout).contains(&format!("{levels} = 64: ")), "{}", text(&result.stdout));
    let csv = std::fs::read_to_string(out.path().join("sweep.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(csv.lines().next(), Some("x,y,seed,test_accuracy"));
    let points: Vec<(&str, &str)> = rows.iter().map(|r| (r[0], r[2])).collect();
    assert_eq!(points, [("4", "1"), ("64", "1"), ("4", "2"), ("64", "2")]);
    // The second seed at 64 levels is the run of that preset from seed 2.
    let run = tempfile::tempdir().unwrap();
    let set = format!("{levels}=64");
    let args = ["run", "sweeps/device_levels", "--seed", "2", "--set", small, "--set", &set, "--out"];
    let result = spikelab(&[&args[..], &[run.path().to_str().unwrap()]].concat());
    assert!(result.status.success(), "{}", text(&result.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.path().join("summary.json")).unwrap()).unwrap();
    let swept: f64 = rows[3][3].parse().unwrap();
    assert!((summary["test_accuracy"].as_f64().unwrap() - swept).abs() < 1e-6, "{summary} against {swept}");
    // Seeds belong to learning sweeps.
    let result = spikelab(&["sweep", "sweeps/brunel_map", "--seeds", "2", "--out", dir]);
    assert!(!result.status.success() && text(&result.stderr).contains("--seeds is for learning tasks"));
}

#[test]
fn a_measured_curve_imports_as_a_device_and_a_bad_one_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    // Steps of 0.1 (2 - G) + 0.01 µS up and 0.05 µS down, measured from 1 to 2 µS.
    let rows: String = (0..=10)
        .map(|k| {
            let g = 1.0 + k as f64 / 10.0;
            format!("{g},{},0.05\n", 0.1 * (2.0 - g) + 0.01)
        })
        .collect();
    let csv = dir.path().join("my_memristor.csv");
    std::fs::write(&csv, format!("g_us,dg_up_us,dg_down_us\n{rows}")).unwrap();
    let out = dir.path().join("out");
    let result = spikelab(&["device", csv.to_str().unwrap(), "--devices", "1", "--out", out.to_str().unwrap()]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    // The first pulse from G_min = 1 µS takes the measured step there, 0.11 µS.
    let (_, pulses) = csv_rows(&out.join("pulses.csv"));
    let g: Vec<f64> = pulses.iter().take(2).map(|r| r[4].parse().unwrap()).collect();
    assert!((g[0] - 1.0).abs() < 1e-12 && (g[1] - 1.11).abs() < 1e-12, "{g:?}");
    // device.ron holds the curve, named after the file, and checks as a device.
    let written = out.join("device.ron");
    let device = spikelab::synapse::device::Device::from_ron(&std::fs::read_to_string(&written).unwrap(), "x").unwrap();
    assert_eq!((device.name.as_str(), device.g_min_us, device.g_max_us), ("my_memristor", 1.0, 2.0));
    let checked = spikelab(&["check", written.to_str().unwrap()]);
    assert!(text(&checked.stdout).contains("(device)"), "{}", text(&checked.stdout));

    // G must rise row by row: the error names the file and the line.
    std::fs::write(&csv, "g_us,dg_up_us,dg_down_us\n1,0.1,0.1\n1.5,0.1,0.1\n1.2,0.1,0.1\n").unwrap();
    let bad = spikelab(&["device", csv.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    let said = text(&bad.stderr);
    assert!(said.contains("my_memristor.csv:4") && said.contains("does not rise"), "{said}");
}
