//! Every shipped preset loads, validates, runs, and survives save-then-load; broken files fail
//! with file, line and field.

use crate::common;

use std::path::{Path, PathBuf};

use spikelab::engine::Simulation;
use spikelab::preset::Preset;

fn preset_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            preset_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "ron") {
            out.push(path);
        }
    }
}

/// Every whole preset (the files under `presets/stimuli/` are stimuli alone, under
/// `presets/devices/` memory devices).
fn all_presets() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("presets");
    preset_files(&root, &mut files);
    files.retain(|f| !f.starts_with(root.join("stimuli")) && !f.starts_with(root.join("devices")));
    files.sort();
    files
}

#[test]
fn every_bundled_stimulus_loads_onto_every_model() {
    let names: Vec<&str> = spikelab::library::stimulus_names().collect();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        let stimulus = spikelab::library::resolve_stimulus(name).unwrap_or_else(|e| panic!("{e}"));
        assert!(!spikelab::library::stimulus_note(name).is_empty(), "{name}: say what it is in a leading comment");
        // Amplitudes are in the model's unit: every model takes the file, the pA cells run it.
        for kind in spikelab::neuron::ModelKind::ALL {
            let mut preset = Preset::with_model("driven", kind.default_model());
            preset.stimulus = stimulus.clone();
            preset.validate().unwrap_or_else(|e| panic!("{name} on {}: {e:?}", kind.name()));
        }
        let mut preset = common::bundled("basics/lif_std");
        preset.stimulus = stimulus;
        Simulation::from_preset(&preset, 1).unwrap().step(20_000, &mut ()).unwrap_or_else(|f| panic!("{name}: {f}"));
    }
}

#[test]
fn every_bundled_device_loads_says_where_it_comes_from_and_round_trips() {
    let names: Vec<&str> = spikelab::library::device_names().collect();
    assert!(names.len() >= 9, "{names:?}");
    for name in names {
        let device = spikelab::library::resolve_device(name).unwrap_or_else(|e| panic!("{e}"));
        assert!(device.source.len() > 40, "{name}: say where its numbers come from");
        let again = spikelab::synapse::device::Device::from_ron(&device.to_ron(), name).unwrap();
        assert_eq!(again, device, "{name}: write then read");
        assert!(device.span_pulses() >= 1.0 && device.pulse_weight(1.0) > 0.0, "{name}");
    }
}

#[test]
fn every_preset_loads_runs_50_ms_and_round_trips() {
    let files = all_presets();
    assert!(files.len() >= 19, "expected the shipped library, found {}", files.len());
    let dir = tempfile::tempdir().unwrap();
    for file in &files {
        let preset = Preset::load(file).unwrap_or_else(|e| panic!("{e}"));
        assert!(!preset.description.is_empty(), "{}: description must cite its source", file.display());
        // A network of gigabytes (the full microcircuit: a benchmark, BENCHMARKS.md) runs here
        // at a tenth of its neurons, each keeping its mean input (NetworkSpec::scaled).
        let mut runs = preset.clone();
        if let Some(network) = &mut runs.network
            && network.footprint(preset.run.dt_ms).bytes > 1e9
        {
            *network = network.scaled(0.1).unwrap();
        }
        let mut sim = Simulation::from_preset(&runs, preset.run.seed).unwrap();
        let steps = (50.0 / preset.run.dt_ms).round() as u64;
        sim.step(steps, &mut ()).unwrap_or_else(|f| panic!("{}: {f}", file.display()));
        assert!((sim.t_ms() - 50.0).abs() < 1e-9);
        let saved = dir.path().join("copy.ron");
        preset.save(&saved).unwrap();
        assert_eq!(Preset::load(&saved).unwrap(), preset, "{}: save then load", file.display());
    }
}

#[test]
fn bundled_library_matches_the_files() {
    let names: Vec<&str> = spikelab::library::names().collect();
    assert_eq!(names.len(), all_presets().len());
    for required in [
        "izhikevich-2003/rs",
        "izhikevich-2003/ib",
        "izhikevich-2003/ch",
        "izhikevich-2003/fs",
        "izhikevich-2003/lts",
        "izhikevich-2003/tc",
        "izhikevich-2003/rz",
        "ee746/lif",
    ] {
        assert!(names.contains(&required), "missing {required}");
    }
    for cell in ["rs", "ib", "ch"] {
        for current in [400, 500, 600] {
            let p = common::bundled(&format!("ee746/izh_{cell}_{current}pa"));
            assert_eq!(p.stimulus.value_at(100.0), current as f64);
        }
    }
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("broken.ron");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn malformed_files_name_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let good = common::bundled("izhikevich-2003/rs").to_ron();
    let line_of = |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;

    // Unknown field.
    let text = good.replace("d: 8.0,", "d: 8.0,\n        gain: 2.0,");
    let err = Preset::load(&write(dir.path(), &text)).unwrap_err();
    assert_eq!((err.line, err.field.as_deref()), (Some(line_of(&text, "gain")), Some("gain")), "{err}");
    assert!(err.to_string().contains("broken.ron:"), "{err}");

    // Wrong type.
    let text = good.replace("dt_ms: 0.1", "dt_ms: \"small\"");
    let err = Preset::load(&write(dir.path(), &text)).unwrap_err();
    assert_eq!((err.line, err.field.as_deref()), (Some(line_of(&text, "small")), Some("dt_ms")), "{err}");

    // Syntax error: a missing comma is reported on its line.
    let text = good.replace("b: 0.2,", "b: 0.2");
    let err = Preset::load(&write(dir.path(), &text)).unwrap_err();
    let line = err.line.unwrap();
    assert!((line_of(&text, "b: 0.2")..=line_of(&text, "b: 0.2") + 1).contains(&line), "{err}");

    // Out of range: validation names the dotted field and its line.
    let text = good.replace("duration_ms: 150.0", "duration_ms: -5.0");
    let err = Preset::load(&write(dir.path(), &text)).unwrap_err();
    assert_eq!((err.line, err.field.as_deref()), (Some(line_of(&text, "duration_ms: -5")), Some("run.duration_ms")));

    // A stimulus component: field path includes its index.
    let mut p = common::bundled("izhikevich-2003/rz");
    if let spikelab::stimulus::Component::Pulse { duration_ms, .. } = &mut p.stimulus.components[2] {
        *duration_ms = 0.0;
    }
    let text = p.to_ron();
    let err = Preset::from_ron(&text, "rz.ron").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("stimulus.components.2.duration_ms"));
    assert!(text.lines().nth(err.line.unwrap() - 1).unwrap().contains("Pulse("), "{err}");

    // A relation between parameters.
    let text =
        good.replace("c: -65.0", "c: -50.0").replace("v_peak: 30.0", "v_peak: 0.0").replace("c: -50.0", "c: 10.0");
    let err = Preset::from_ron(&text, "x.ron").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("neuron.c"), "{err}");
}

#[test]
fn a_failed_save_leaves_the_old_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lab.ron");
    let good = common::bundled("basics/lif_std");
    good.save(&path).unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    let mut bad = good.clone();
    bad.run.dt_ms = -1.0;
    let err = bad.save(&path).unwrap_err();
    assert!(err.contains("run.dt_ms"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

#[test]
fn the_readme_example_is_a_valid_preset() {
    let readme = include_str!("../../README.md");
    let start = readme.find("```ron\n").expect("README has a RON example") + 7;
    let end = start + readme[start..].find("```").unwrap();
    let preset = Preset::from_ron(&readme[start..end], "README.md").unwrap_or_else(|e| panic!("{e}"));
    let mut shipped = common::bundled("izhikevich-2003/rs");
    shipped.description = preset.description.clone();
    assert_eq!(preset, shipped, "the README shows the shipped RS preset");
}

#[test]
fn stimulus_presets_behave_as_described() {
    let mut poisson = common::bundled("ee746/poisson_synapses");
    assert!(common::run(&poisson).spikes.len() >= 5, "w = 250: about 281 pA on average, above rheobase");
    poisson.set_path("stimulus.components.0.weight", "50").unwrap();
    assert!(common::run(&poisson).spikes.is_empty(), "w = 50: 56 pA on average, silent");

    let mut noisy = common::bundled("basics/noisy_lif");
    let t = common::run(&noisy).spike_times();
    let isi: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    let mean = isi.iter().sum::<f64>() / isi.len() as f64;
    let cv = (isi.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / isi.len() as f64).sqrt() / mean;
    assert!(t.len() >= 8 && cv > 0.5, "{} spikes, CV {cv}", t.len());
    noisy.stimulus.set_muted(0, true);
    assert!(common::run(&noisy).spikes.is_empty(), "the 180 pA mean alone never fires it");
    noisy.stimulus.set_muted(0, false);
    noisy.set_path("stimulus.components.0.sigma", "0").unwrap();
    assert!(common::run(&noisy).spikes.is_empty());
}

#[test]
fn the_readme_network_example_is_valid_and_runs() {
    let readme = include_str!("../../README.md");
    let start = readme.find("```ron\nnetwork:").expect("README has a network example") + 7;
    let end = start + readme[start..].find("```").unwrap();
    let text = format!("(version: 1, name: \"README network\", {})", &readme[start..end]);
    let preset = Preset::from_ron(&text, "README.md").unwrap_or_else(|e| panic!("{e}"));
    let network = preset.network.as_ref().unwrap();
    assert_eq!((network.n_neurons(), network.projections.len()), (1000, 2));
    let rec = common::run(&Preset {
        run: spikelab::preset::settings::RunSettings { duration_ms: 100.0, ..preset.run },
        ..preset
    });
    assert!(rec.spikes.iter().any(|s| s.neuron < 100), "the input drives the first 100 E cells");
}
