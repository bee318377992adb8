//! The Brian2 script: every model's equations written out as spikelab integrates them (in
//! spikelab's own units, as dimensionless numbers with time in ms), every synapse kernel as
//! its traces, every connection rule as the index arrays it draws, every STDP rule as its
//! traces and updates. Runtime mode by default (numpy: no compiler); `--standalone` builds
//! C++ and runs it on `--threads` OpenMP threads.

mod connections;
mod inputs;
mod models;

use std::fmt::Write as _;

use super::{py, py_str};
use crate::integrate::{Integrator, SpikeTiming};
use crate::network::spec::{Connectivity, Dist, NetworkSpec, PopulationSpec, Reset};
use crate::neuron::NeuronModel;
use crate::preset::Preset;
use crate::stimulus::{Component, SpikeSource};
use crate::synapse::Kernel;
use crate::synapse::plasticity::StdpRule;
use connections::*;
use inputs::*;
use models::*;

pub fn script(preset: &Preset, net: &NetworkSpec) -> Result<String, String> {
    let run = &preset.run;
    let dt = run.dt_ms;
    let mut notes: Vec<String> = Vec::new();
    if run.spike_timing == SpikeTiming::Interpolated {
        notes.push("Brian2 puts spikes on the step grid; the preset locates them inside the step (spike_timing: Interpolated).".into());
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "groups = {{}}\n# Each group's spike stamp against spikelab's (Brian2 stamps a step's start).\nlags = {{}}"
    );
    let built = if net.populations.iter().any(|p| !p.spread.is_empty()) {
        Some(crate::network::Net::build(net, dt, run.seed)?)
    } else {
        None
    };
    for (p, pop) in net.populations.iter().enumerate() {
        population(&mut s, preset, net, p, pop, built.as_ref(), &mut notes)?;
    }
    let _ = writeln!(
        s,
        "\n# Projections: index arrays drawn here (numpy, seeded), delays axonal.\nsynapses = []\nplastic = []"
    );
    for (k, proj) in net.projections.iter().enumerate() {
        projection(&mut s, preset, net, k, &mut notes)
            .map_err(|why| format!("projection {k} ({} -> {}): {why}", proj.from, proj.to))?;
    }
    for (k, input) in net.inputs.iter().enumerate() {
        input_of(&mut s, preset, net, k).map_err(|why| format!("input {k} into {}: {why}", input.population))?;
    }
    let mut script = String::new();
    header(&mut script, preset, &notes);
    script += &s;
    footer(&mut script, preset);
    Ok(script)
}

fn header(s: &mut String, preset: &Preset, notes: &[String]) {
    let _ = writeln!(
        s,
        "#!/usr/bin/env python3\n\"\"\"{name}: exported by spikelab {version} for Brian2 2.x.\n\n\
         Builds the preset's network with its equations written out in spikelab's units (as\n\
         dimensionless numbers, time in ms), runs it for {t} ms at dt = {dt} ms (seed {seed}), and\n\
         writes, in --out (default: this folder), spikes.csv (t_ms,neuron: global indices in the\n\
         preset's order), summary.json and, for plastic synapses, weights_final.csv, as `spikelab\n\
         run` does; `spikelab compare DIR_A DIR_B` sets the runs side by side.\n\n\
         python3 script.py                         # runtime mode (numpy, no compiler)\n\
         python3 script.py --standalone --threads 8  # C++ standalone with 8 OpenMP threads\n\n\
         Brian2 stamps a spike at the start of the step it is detected in; spikelab's grid\n\
         timing at its end: times here are shifted by one step to match.\n",
        name = preset.name.replace('"', "'"),
        version = env!("CARGO_PKG_VERSION"),
        t = py(preset.run.duration_ms),
        dt = py(preset.run.dt_ms),
        seed = preset.run.seed,
    );
    if !notes.is_empty() {
        let _ = writeln!(s, "Approximations:");
        for note in notes {
            let _ = writeln!(s, "- {note}");
        }
    }
    let _ = writeln!(
        s,
        "\"\"\"\nimport argparse\nimport builtins  # brian2's star import shadows sum and round with numpy's\nimport json\nimport os\n\nimport numpy\nfrom brian2 import *  # noqa: F401,F403\n\n\
         parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n\
         parser.add_argument(\"--standalone\", action=\"store_true\", help=\"C++ standalone\")\n\
         parser.add_argument(\"--threads\", type=int, default=1, help=\"OpenMP threads (standalone)\")\n\
         parser.add_argument(\"--out\", default=os.path.dirname(os.path.abspath(__file__)))\n\
         args = parser.parse_args()\n\
         if args.standalone:\n    set_device(\"cpp_standalone\", directory=os.path.join(args.out, \"brian2-build\"))\n    prefs.devices.cpp_standalone.openmp_threads = args.threads\n\
         else:\n    prefs.codegen.target = \"numpy\"\n\
         DURATION_MS = {}\n\
         defaultclock.dt = {} * ms\n\
         seed({})\n\
         rng = numpy.random.default_rng({})\n\
         inputs = []\n\n\
         def fixed_degree(n_pre, n_post, k, multapses, autapses, by_target):\n    \
             \"\"\"Index arrays with k sources per target (or k targets per source).\"\"\"\n    \
             n_from, n_to = (n_pre, n_post) if by_target else (n_post, n_pre)\n    \
             theirs = numpy.repeat(numpy.arange(n_to), k)\n    \
             if multapses:\n        \
                 # Independent draws, an autapse drawn again until there is none.\n        \
                 ours = rng.integers(0, n_from, n_to * k)\n        \
                 while not autapses and (ours == theirs).any():\n            \
                     again = ours == theirs\n            \
                     ours[again] = rng.integers(0, n_from, again.sum())\n    \
             else:\n        \
                 ours = numpy.concatenate([\n            \
                     rng.choice(numpy.delete(numpy.arange(n_from), j) if not autapses and j < n_from else n_from, k, replace=False)\n            \
                     for j in range(n_to)\n        \
                 ])\n    \
             a, b = ours, theirs\n    \
             return (a, b) if by_target else (b, a)\n",
        py(preset.run.duration_ms),
        py(preset.run.dt_ms),
        preset.run.seed,
        preset.run.seed,
    );
}

const FOOTER: &str = r#"
monitors = {name: SpikeMonitor(g) for name, g in groups.items()}
net = Network(list(groups.values()), synapses, inputs, list(monitors.values()))
net.run(DURATION_MS * ms)
os.makedirs(args.out, exist_ok=True)
populations = populations_of(groups)
spikes = []
for p in populations:
    m = monitors[p["name"]]
    # A neuron's spike one step later where spikelab stamps the step's end.
    lag = lags.get(p["name"], 0.0)
    spikes += [(builtins.round(float(t / ms) + lag, 9), int(i) + p["first"]) for t, i in zip(m.t, m.i)]
spikes.sort()
weights = None
if plastic:
    first = {g.name: p["first"] for g, p in zip(groups.values(), populations)}
    weights = []
    for S in plastic:
        a, b = first[S.source.name], first[S.target.name]
        weights += [(int(i) + a, int(j) + b, float(w)) for i, j, w in zip(S.i[:], S.j[:], S.wsyn[:])]
details = {"simulator": "Brian2 " + __import__("brian2").__version__}
write_outputs(spikes, weights, populations, details)
"#;

fn footer(s: &mut String, preset: &Preset) {
    super::outputs(s, preset, preset.run.seed);
    s.push_str(FOOTER);
}
