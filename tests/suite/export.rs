//! Exported scripts: the same text for the same preset (golden files), valid Python, and every
//! network preset either exports or is refused with the part and the reason.

use std::path::PathBuf;

use spikelab::export::{Target, export};

use crate::common;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)
}

/// The scripts of a few presets match their golden files (`SPIKELAB_BLESS=1` rewrites them
/// after a deliberate change; review the diff) and parse as Python.
#[test]
fn scripts_match_their_golden_files_and_parse_as_python() {
    for (preset, target, file) in [
        ("bench/cuba", Target::Nest, "cuba_nest.py"),
        ("networks/coba", Target::Nest, "coba_nest.py"),
        ("networks/brunel_ai", Target::Nest, "brunel_ai_nest.py"),
        ("plasticity/song_abbott", Target::Nest, "song_abbott_nest.py"),
        ("bench/cuba", Target::Brian2, "cuba_brian2.py"),
        ("plasticity/pairing_triplet", Target::Brian2, "pairing_triplet_brian2.py"),
        ("networks/poisson_feedforward", Target::Brian2, "poisson_feedforward_brian2.py"),
    ] {
        let script = export(&common::bundled(preset), target).unwrap();
        let path = golden(file);
        if std::env::var_os("SPIKELAB_BLESS").is_some() {
            std::fs::write(&path, &script).unwrap();
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(script == expected, "{preset}: the script differs from {}", path.display());
        let parsed = std::process::Command::new("python3")
            .args(["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())"])
            .arg(&path)
            .output()
            .expect("python3 runs");
        assert!(parsed.status.success(), "{file}: {}", String::from_utf8_lossy(&parsed.stderr));
    }
}

#[test]
fn every_preset_exports_or_is_refused_naming_the_part_and_the_reason() {
    every_preset(Target::Nest, "nest.Create(", 40, 10);
    every_preset(Target::Brian2, "NeuronGroup(", 50, 1);
}

fn every_preset(target: Target, creates: &str, least_exported: usize, least_refused: usize) {
    let (mut exported, mut refused) = (0, 0);
    for name in spikelab::library::names() {
        let preset = common::bundled(name);
        if preset.learning.is_some() {
            assert!(export(&preset, target).unwrap_err().contains("does not export"));
            continue;
        }
        // A single neuron exports as a population of one, `neurons`.
        let one = spikelab::network::NetworkSpec {
            populations: vec![serde_json::from_value(serde_json::json!({"name": "neurons", "size": 1})).unwrap()],
            projections: Vec::new(),
            inputs: Vec::new(),
            record: vec![0],
        };
        let network = preset.network.as_ref().unwrap_or(&one);
        match std::panic::catch_unwind(|| export(&preset, target)) {
            Err(_) => panic!("{name}: the exporter panicked"),
            Ok(Ok(script)) => {
                exported += 1;
                let made = network.populations.iter().filter(|p| p.source.is_none()).count();
                assert!(script.matches(creates).count() >= made, "{name}: a node per population");
                let connects = if target == Target::Nest { "nest.Connect(pops[" } else { "S = Synapses(groups[" };
                assert!(script.matches(connects).count() >= network.projections.len(), "{name}: every projection");
            }
            Ok(Err(why)) => {
                refused += 1;
                let names_part = ["population ", "projection ", "input "].iter().any(|p| why.starts_with(p));
                assert!(names_part, "{name}: `{why}` names the part");
                if target == Target::Nest {
                    assert!(why.contains("Brian2"), "{name}: `{why}` names the alternative");
                }
            }
        }
    }
    assert!(
        exported >= least_exported && refused >= least_refused,
        "{target:?}: {exported} exported, {refused} refused"
    );
}
