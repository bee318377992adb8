#!/usr/bin/env python3
"""Brunel 2000: asynchronous irregular (g = 5, nu_ext = 2 nu_thr): exported by spikelab 0.1.0 for NEST 3.10.

Builds the preset's network, runs it for 500.0 ms at dt = 0.1 ms (seed 1) and writes, in
--out (default: this folder), spikes.csv (t_ms,neuron: global neuron indices in the preset's
order, as `spikelab run` writes them) and summary.json (rates per population), so that
`spikelab compare DIR_A DIR_B` can set the runs side by side.

Units are NEST's (mV, ms, pA, nS, pF): a delta synapse's charge q (pA ms) is a jump q / C
(mV); current weights are in pA, conductances in nS (an inhibitory conductance is
negative, NEST's sign for its inhibitory port).

One machine: python3 script.py --threads 8
A cluster (a NEST built with MPI): mpirun -np 4 python3 script.py --threads 8 --mpi
Each rank writes its own spikes; rank 0 merges them.

Approximations NEST forces:
- delays are rounded to its resolution (as here).
"""
import argparse
import builtins
import json
import os
import sys

import nest
import numpy

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1, help="threads per process")
parser.add_argument("--mpi", action="store_true", help="require an MPI build (mpirun)")
parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
args = parser.parse_args()
DURATION_MS = 500.0

nest.ResetKernel()
nest.set(resolution=0.1, rng_seed=1, total_num_virtual_procs=args.threads * nest.NumProcesses(), print_time=False)
if args.mpi and nest.NumProcesses() == 1:
    sys.exit("--mpi: this NEST was built without MPI (the PyPI wheel is); build NEST with MPI for a cluster")

# Populations in the preset's order: global neuron g is NEST node g + 1.
pops = {}
pops["E"] = nest.Create("iaf_psc_delta", 10000, params={"C_m": 250.0, "E_L": -70.0, "V_th": -50.0, "V_reset": -60.0, "t_ref": 2.0, "I_e": 0.0, "tau_m": 20.0})
pops["E"].V_m = nest.random.uniform(min=-70.0, max=-50.0)
pops["I"] = nest.Create("iaf_psc_delta", 2500, params={"C_m": 250.0, "E_L": -70.0, "V_th": -50.0, "V_reset": -60.0, "t_ref": 2.0, "I_e": 0.0, "tau_m": 20.0})
pops["I"].V_m = nest.random.uniform(min=-70.0, max=-50.0)

# Projections (delays are axonal here, on NEST's grid of `resolution`).
# Plastic ones, written to weights_final.csv at the end: (synapse model, NEST weight per spikelab unit).
plastic = []
nest.Connect(pops["E"], pops["E"], conn_spec={"rule": "fixed_indegree", "indegree": 1000, "allow_autapses": True, "allow_multapses": True}, syn_spec={"synapse_model": "static_synapse", "weight": 0.1, "delay": 1.5})
nest.Connect(pops["E"], pops["I"], conn_spec={"rule": "fixed_indegree", "indegree": 1000, "allow_autapses": False, "allow_multapses": True}, syn_spec={"synapse_model": "static_synapse", "weight": 0.1, "delay": 1.5})
nest.Connect(pops["I"], pops["E"], conn_spec={"rule": "fixed_indegree", "indegree": 250, "allow_autapses": False, "allow_multapses": True}, syn_spec={"synapse_model": "static_synapse", "weight": -0.5, "delay": 1.5})
nest.Connect(pops["I"], pops["I"], conn_spec={"rule": "fixed_indegree", "indegree": 250, "allow_autapses": True, "allow_multapses": True}, syn_spec={"synapse_model": "static_synapse", "weight": -0.5, "delay": 1.5})

# Inputs: a Poisson generator gives each neuron its own train. A device reaches its targets
# one step (NEST's least delay) after it acts, so its times are set one step early.
nest.Connect(nest.Create("poisson_generator", params={"rate": 20000.0, "start": 0.0, "stop": 999999999.9}), pops["E"], syn_spec={"weight": 0.1, "delay": 0.1})
nest.Connect(nest.Create("poisson_generator", params={"rate": 20000.0, "start": 0.0, "stop": 999999999.9}), pops["I"], syn_spec={"weight": 0.1, "delay": 0.1})

PRESET = "Brunel 2000: asynchronous irregular (g = 5, nu_ext = 2 nu_thr)"
SEED = 1


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
