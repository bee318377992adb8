//! A network preset as a self-contained Python script for another simulator, so that a network
//! designed here runs on a cluster: `spikelab export PRESET --to nest --out script.py`. The
//! script builds the same network, runs it for the preset's duration at its dt, and writes
//! `spikes.csv` (`t_ms,neuron`, global indices in preset order) and `summary.json` (rates and
//! populations) as `spikelab run` does, so `spikelab compare` can set the two side by side.
//!
//! What cannot be mapped exactly is refused with the population or projection, the reason and
//! the alternative; what the target forces (delays on its grid, adaptive integration) is stated
//! in the script's header.

mod brian2;
mod nest;

use crate::network::spec::{Dist, Input, NetworkSpec, PopulationSpec};
use crate::preset::Preset;

/// A simulator a network can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// NEST 3.10 (threads and MPI).
    Nest,
    /// Brian2 2.x (every model's equations; C++ standalone with OpenMP).
    Brian2,
}

/// Writes the preset's network as a script for `target`, or says why it cannot. A single
/// neuron's bench exports as a network of one population, `neurons`, driven by the bench's
/// stimulus.
pub fn export(preset: &Preset, target: Target) -> Result<String, String> {
    if preset.learning.is_some() {
        return Err(format!("{}: a learning task runs trial by trial here and does not export", preset.name));
    }
    let bench;
    let network = match &preset.network {
        Some(network) => network,
        None => {
            bench = single_neuron(preset);
            &bench
        }
    };
    if let Some((k, proj, device)) =
        network.projections.iter().enumerate().find_map(|(k, p)| p.device.as_ref().map(|d| (k, p, d)))
    {
        return Err(format!(
            "projection {k} ({} -> {}): its weights are held by a memory device ({}), whose pulses neither NEST nor Brian2 models; remove `device` to export the ideal rule",
            proj.from, proj.to, device.device.name
        ));
    }
    match target {
        Target::Nest => nest::script(preset, network),
        Target::Brian2 => brian2::script(preset, network),
    }
}

fn single_neuron(preset: &Preset) -> NetworkSpec {
    NetworkSpec {
        populations: vec![PopulationSpec {
            name: "neurons".into(),
            size: 1,
            role: Default::default(),
            neuron: preset.neuron,
            source: None,
            spread: Vec::new(),
            reset: Default::default(),
            adaptation: None,
            // The bench's own starting values (e.g. `u` of an Izhikevich cell).
            initial: preset.initial.iter().map(|(k, v)| (k.clone(), Dist::Constant(*v))).collect(),
            synapses: Default::default(),
        }],
        projections: Vec::new(),
        inputs: vec![Input { population: "neurons".into(), neurons: None, stimulus: preset.stimulus.clone() }],
        record: vec![0],
    }
}

/// The Python both scripts end with: the populations' global numbering, and `spikelab run`'s
/// files (`spikes.csv`, `weights_final.csv`, `summary.json`) written atomically.
const OUTPUTS: &str = r#"

def populations_of(groups):
    """Each population's name, first global neuron and size, in the preset's order."""
    populations, first = [], 0
    for name, group in groups.items():
        populations.append({"name": name, "first": first, "size": len(group)})
        first += len(group)
    return populations


def write(name, header, rows):
    path = os.path.join(args.out, name)
    with open(path + ".tmp", "w") as f:
        f.write(header + "\n")
        f.writelines(",".join(map(str, row)) + "\n" for row in rows)
    os.replace(path + ".tmp", path)


def write_outputs(spikes, weights, populations, details):
    """spikes: sorted (t_ms, neuron); weights: (pre, post, weight) or None; details: the summary's
    simulator-specific entries."""
    write("spikes.csv", "t_ms,neuron", [(repr(t), n) for t, n in spikes])
    if weights is not None:
        write("weights_final.csv", "pre,post,weight", [(a, b, repr(w)) for a, b, w in sorted(weights)])
    counts = {p["name"]: builtins.sum(1 for _, n in spikes if p["first"] <= n < p["first"] + p["size"]) for p in populations}
    summary = {
        "preset": PRESET,
        **details,
        "simulated_ms": DURATION_MS,
        "seed": SEED,
        "spike_count": len(spikes),
        "spike_counts": counts,
        "rates_hz": {p["name"]: 1000.0 * counts[p["name"]] / DURATION_MS / p["size"] for p in populations},
        "populations": populations,
    }
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"{len(spikes)} spikes in {DURATION_MS} ms -> {args.out}")
"#;

/// What every script ends with before its own run: the preset's name and seed, and [`OUTPUTS`].
fn outputs(s: &mut String, preset: &Preset, seed: u64) {
    use std::fmt::Write as _;
    let _ = write!(s, "\nPRESET = {}\nSEED = {seed}\n{OUTPUTS}", py_str(&preset.name));
}

/// A number as Python writes it (never `inf`, which Python does not read).
fn py(x: f64) -> String {
    if x.is_finite() {
        let text = format!("{x:?}");
        if text.contains('e') && !text.contains('.') { text.replacen('e', ".0e", 1) } else { text }
    } else if x > 0.0 {
        "float('inf')".into()
    } else {
        "float('-inf')".into()
    }
}

/// A string as a Python literal.
fn py_str(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_read_back_in_python() {
        assert_eq!(super::py(0.1), "0.1");
        assert_eq!(super::py(1e9), "1000000000.0");
        assert_eq!(super::py(1e-12), "1.0e-12");
        assert_eq!(super::py(f64::INFINITY), "float('inf')");
    }
}
