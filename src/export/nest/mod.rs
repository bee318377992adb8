//! The NEST 3.10 script (current API: `nest.Create`, `nest.Connect`, attribute access and
//! `nest.random.*`; no SLI, no `GetStatus`/`SetStatus`). Every model, synapse, rule,
//! distribution, input and plasticity rule spikelab has is matched here exhaustively: it maps to
//! NEST's own or is refused with the reason and the alternative.

mod connections;
mod inputs;
mod neurons;

use std::collections::BTreeMap;
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
use neurons::*;

const BRIAN2: &str = "export it to Brian2 instead, whose equations cover it";

pub fn script(preset: &Preset, net: &NetworkSpec) -> Result<String, String> {
    let run = &preset.run;
    let mut notes: Vec<String> = Vec::new();
    if run.spike_timing == SpikeTiming::Interpolated {
        notes.push(
            "NEST's neurons here put spikes on the step grid; the preset locates them inside the step (spike_timing: Interpolated).".into(),
        );
    }
    let nodes: Vec<Nodes> = net
        .populations
        .iter()
        .enumerate()
        .map(|(p, pop)| population(preset, net, p, pop, &mut notes))
        .collect::<Result<_, _>>()?;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "nest.ResetKernel()\n\
         nest.set(resolution={dt}, rng_seed={seed}, total_num_virtual_procs=args.threads * nest.NumProcesses(), print_time=False)\n\
         if args.mpi and nest.NumProcesses() == 1:\n    sys.exit(\"--mpi: this NEST was built without MPI (the PyPI wheel is); build NEST with MPI for a cluster\")\n",
        dt = py(run.dt_ms),
        seed = run.seed.max(1),
    );
    let _ = writeln!(s, "# Populations in the preset's order: global neuron g is NEST node g + 1.\npops = {{}}");
    for (pop, n) in net.populations.iter().zip(&nodes) {
        let flag = |b: bool| if b { "True" } else { "False" };
        let params: Vec<String> = n
            .params
            .iter()
            .map(|(k, v)| format!("{}: {}", py_str(k), py(*v)))
            .chain(n.flags.iter().map(|(k, b)| format!("{}: {}", py_str(k), flag(*b))))
            .collect();
        let _ = writeln!(
            s,
            "pops[{}] = nest.Create({}, {}, params={{{}}})",
            py_str(&pop.name),
            py_str(n.model),
            pop.size,
            params.join(", ")
        );
        for (state, dist, signed) in &n.initial {
            let value = if *signed { random_signed(dist) } else { random(dist) }?;
            let _ = writeln!(s, "pops[{}].{state} = {value}", py_str(&pop.name));
        }
        for (key, values) in &n.per_neuron {
            let values: Vec<String> = values.iter().map(|v| py(*v)).collect();
            let _ = writeln!(s, "pops[{}].{key} = [{}]", py_str(&pop.name), values.join(", "));
        }
    }
    let _ = writeln!(
        s,
        "\n# Projections (delays are axonal here, on NEST's grid of `resolution`).\n\
         # Plastic ones, written to weights_final.csv at the end: (synapse model, NEST weight per spikelab unit).\n\
         plastic = []"
    );
    for (k, proj) in net.projections.iter().enumerate() {
        let to = index(net, &proj.to);
        let scale = *nodes[to].scale.get(&proj.synapse).ok_or_else(|| {
            format!(
                "projection {k} ({} -> {}): synapse type `{}` is not one NEST's model takes",
                proj.from, proj.to, proj.synapse
            )
        })?;
        let conn = connection(&proj.rule, proj.autapses, proj.multapses)
            .map_err(|why| format!("projection {k} ({} -> {}): {why}", proj.from, proj.to))?;
        let weight = scaled(&proj.weight, scale)
            .map_err(|why| format!("projection {k} ({} -> {}): weight: {why}", proj.from, proj.to))?;
        let delay = delay(&proj.delay_ms, run.dt_ms)
            .map_err(|why| format!("projection {k} ({} -> {}): delay: {why}", proj.from, proj.to))?;
        if proj.normalise.is_some() {
            return Err(format!(
                "projection {k} ({} -> {}): weight normalisation has no NEST synapse; {BRIAN2}",
                proj.from, proj.to
            ));
        }
        let model = match &proj.plasticity {
            None => "\"static_synapse\"".to_string(),
            Some(rule) => {
                notes.push(format!(
                    "projection {k} ({} -> {}): NEST times STDP with the delay on the postsynaptic side (Δt = t_post + d - t_pre), spikelab on the presynaptic side (Δt = t_post - t_pre - d): each pairing's interval differs by 2 d.",
                    proj.from, proj.to
                ));
                let name = format!("stdp_{k}");
                let synapse = plastic(rule, scale)
                    .map_err(|why| format!("projection {k} ({} -> {}): {why}", proj.from, proj.to))?;
                let params: Vec<String> =
                    synapse.params.iter().map(|(k, v)| format!("{}: {}", py_str(k), py(*v))).collect();
                let _ = writeln!(
                    s,
                    "nest.CopyModel({}, {}, {{{}}})",
                    py_str(synapse.base),
                    py_str(&name),
                    params.join(", ")
                );
                // The postsynaptic traces' time constants belong to NEST's neuron.
                for (key, tau) in synapse.neuron {
                    let _ = writeln!(s, "pops[{}].{key} = {}", py_str(&proj.to), py(tau));
                }
                let _ = writeln!(s, "plastic.append(({}, {}))", py_str(&name), py(scale));
                py_str(&name)
            }
        };
        let _ = writeln!(
            s,
            "nest.Connect(pops[{}], pops[{}], conn_spec={conn}, syn_spec={{\"synapse_model\": {model}, \"weight\": {weight}, \"delay\": {delay}}})",
            py_str(&proj.from),
            py_str(&proj.to),
        );
    }
    inputs(&mut s, net, &nodes, run.dt_ms)?;
    sources(&mut s, net, &nodes, run.dt_ms);
    footer(&mut s, preset);
    let mut script = String::new();
    header(&mut script, preset, &notes);
    Ok(script + &s)
}

fn index(net: &NetworkSpec, name: &str) -> usize {
    net.populations.iter().position(|p| p.name == name).expect("a valid preset names its populations")
}

fn header(s: &mut String, preset: &Preset, notes: &[String]) {
    let _ = writeln!(
        s,
        "#!/usr/bin/env python3\n\"\"\"{name}: exported by spikelab {version} for NEST 3.10.\n\n\
         Builds the preset's network, runs it for {t} ms at dt = {dt} ms (seed {seed}) and writes, in\n\
         --out (default: this folder), spikes.csv (t_ms,neuron: global neuron indices in the preset's\n\
         order, as `spikelab run` writes them) and summary.json (rates per population), so that\n\
         `spikelab compare DIR_A DIR_B` can set the runs side by side.\n\n\
         Units are NEST's (mV, ms, pA, nS, pF): a delta synapse's charge q (pA ms) is a jump q / C\n\
         (mV); current weights are in pA, conductances in nS (an inhibitory conductance is\n\
         negative, NEST's sign for its inhibitory port).\n\n\
         One machine: python3 script.py --threads 8\n\
         A cluster (a NEST built with MPI): mpirun -np 4 python3 script.py --threads 8 --mpi\n\
         Each rank writes its own spikes; rank 0 merges them.\n",
        name = preset.name.replace('"', "'"),
        version = env!("CARGO_PKG_VERSION"),
        t = py(preset.run.duration_ms),
        dt = py(preset.run.dt_ms),
        seed = preset.run.seed.max(1),
    );
    let _ = writeln!(s, "Approximations NEST forces:\n- delays are rounded to its resolution (as here).");
    for note in notes {
        let _ = writeln!(s, "- {note}");
    }
    let _ = writeln!(
        s,
        "\"\"\"\nimport argparse\nimport builtins\nimport json\nimport os\nimport sys\n\nimport nest\nimport numpy\n\n\
         parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n\
         parser.add_argument(\"--threads\", type=int, default=1, help=\"threads per process\")\n\
         parser.add_argument(\"--mpi\", action=\"store_true\", help=\"require an MPI build (mpirun)\")\n\
         parser.add_argument(\"--out\", default=os.path.dirname(os.path.abspath(__file__)))\n\
         args = parser.parse_args()\n\
         DURATION_MS = {}\n",
        py(preset.run.duration_ms)
    );
}

/// Recording, the run, and the outputs: each rank writes its own spikes (and plastic weights),
/// rank 0 merges them into spikelab's files.
const FOOTER: &str = r#"
# Record every population, run, and write this rank's spikes (and plastic weights).
recorder = nest.Create("spike_recorder")
for pop in pops.values():
    nest.Connect(pop, recorder)
nest.Simulate(DURATION_MS)
events = recorder.get("events")
rank, ranks = nest.Rank(), nest.NumProcesses()
os.makedirs(args.out, exist_ok=True)
part = os.path.join(args.out, f"spikes.rank{rank}.csv")
with open(part + ".tmp", "w") as f:
    for t, sender in zip(events["times"], events["senders"]):
        f.write(f"{float(t)!r},{int(sender) - 1}\n")
os.replace(part + ".tmp", part)
if plastic:
    with open(os.path.join(args.out, f"weights.rank{rank}.csv"), "w") as f:
        for model, scale in plastic:
            conns = nest.GetConnections(synapse_model=model)
            if len(conns):
                values = [numpy.atleast_1d(conns.get(key)) for key in ("source", "target", "weight")]
                for pre, post, w in zip(*values):
                    f.write(f"{int(pre) - 1},{int(post) - 1},{float(w) / scale!r}\n")
nest.SyncProcesses()


def merge(name, parse):
    rows = []
    for r in range(ranks):
        path = os.path.join(args.out, f"{name}.rank{r}.csv")
        with open(path) as f:
            rows += [parse(line.strip().split(",")) for line in f]
        os.remove(path)
    return sorted(rows)


if rank == 0:
    spikes = merge("spikes", lambda v: (round(float(v[0]), 9), int(v[1])))
    weights = merge("weights", lambda v: (int(v[0]), int(v[1]), float(v[2]))) if plastic else None
    details = {"simulator": "NEST " + nest.__version__, "dt_ms": nest.resolution, "processes": ranks, "threads": args.threads}
    write_outputs(spikes, weights, populations_of(pops), details)
"#;

fn footer(s: &mut String, preset: &Preset) {
    super::outputs(s, preset, preset.run.seed.max(1));
    s.push_str(FOOTER);
}
