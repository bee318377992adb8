#!/usr/bin/env python3
"""Bench: cuba (Vogels-Abbott current-based, 4000 LIF): exported by spikelab 0.1.0 for Brian2 2.x.

Builds the preset's network with its equations written out in spikelab's units (as
dimensionless numbers, time in ms), runs it for 1000.0 ms at dt = 0.1 ms (seed 12345), and
writes, in --out (default: this folder), spikes.csv (t_ms,neuron: global indices in the
preset's order), summary.json and, for plastic synapses, weights_final.csv, as `spikelab
run` does; `spikelab compare DIR_A DIR_B` sets the runs side by side.

python3 script.py                         # runtime mode (numpy, no compiler)
python3 script.py --standalone --threads 8  # C++ standalone with 8 OpenMP threads

Brian2 stamps a spike at the start of the step it is detected in; spikelab's grid
timing at its end: times here are shifted by one step to match.

"""
import argparse
import builtins  # brian2's star import shadows sum and round with numpy's
import json
import os

import numpy
from brian2 import *  # noqa: F401,F403

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--standalone", action="store_true", help="C++ standalone")
parser.add_argument("--threads", type=int, default=1, help="OpenMP threads (standalone)")
parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
args = parser.parse_args()
if args.standalone:
    set_device("cpp_standalone", directory=os.path.join(args.out, "brian2-build"))
    prefs.devices.cpp_standalone.openmp_threads = args.threads
else:
    prefs.codegen.target = "numpy"
DURATION_MS = 1000.0
defaultclock.dt = 0.1 * ms
seed(12345)
rng = numpy.random.default_rng(12345)
inputs = []

def fixed_degree(n_pre, n_post, k, multapses, autapses, by_target):
    """Index arrays with k sources per target (or k targets per source)."""
    n_from, n_to = (n_pre, n_post) if by_target else (n_post, n_pre)
    theirs = numpy.repeat(numpy.arange(n_to), k)
    if multapses:
        # Independent draws, an autapse drawn again until there is none.
        ours = rng.integers(0, n_from, n_to * k)
        while not autapses and (ours == theirs).any():
            again = ours == theirs
            ours[again] = rng.integers(0, n_from, again.sum())
    else:
        ours = numpy.concatenate([
            rng.choice(numpy.delete(numpy.arange(n_from), j) if not autapses and j < n_from else n_from, k, replace=False)
            for j in range(n_to)
        ])
    a, b = ours, theirs
    return (a, b) if by_target else (b, a)

groups = {}
# Each group's spike stamp against spikelab's (Brian2 stamps a step's start).
lags = {}
groups["E"] = NeuronGroup(3200, "dv/dt = (-g_l_ns*(v - e_l_mv) + i_e_pa + I)/c_pf/ms : 1 (unless refractory)\nds_exc/dt = -s_exc/(5.0)/ms : 1\nds_inh/dt = -s_inh/(10.0)/ms : 1\nI = s_exc + s_inh : 1\ntheta : 1\nc_pf : 1 (constant)\ng_l_ns : 1 (constant)\ne_l_mv : 1 (constant)\nv_th_mv : 1 (constant)\nv_reset_mv : 1 (constant)\ni_e_pa : 1 (constant)", threshold="v >= v_th_mv + theta", reset="v = v_reset_mv", refractory=(5.0 + 0.1)*ms, method="exact", name="pop0")
lags["E"] = 0.1
groups["E"].c_pf = 200.0
groups["E"].g_l_ns = 10.0
groups["E"].e_l_mv = -49.0
groups["E"].v_th_mv = -50.0
groups["E"].v_reset_mv = -60.0
groups["E"].i_e_pa = 0.0
groups["E"].v = "-60.0"
groups["E"].v = rng.uniform(-60.0, -50.0, 3200)
groups["I"] = NeuronGroup(800, "dv/dt = (-g_l_ns*(v - e_l_mv) + i_e_pa + I)/c_pf/ms : 1 (unless refractory)\nds_exc/dt = -s_exc/(5.0)/ms : 1\nds_inh/dt = -s_inh/(10.0)/ms : 1\nI = s_exc + s_inh : 1\ntheta : 1\nc_pf : 1 (constant)\ng_l_ns : 1 (constant)\ne_l_mv : 1 (constant)\nv_th_mv : 1 (constant)\nv_reset_mv : 1 (constant)\ni_e_pa : 1 (constant)", threshold="v >= v_th_mv + theta", reset="v = v_reset_mv", refractory=(5.0 + 0.1)*ms, method="exact", name="pop1")
lags["I"] = 0.1
groups["I"].c_pf = 200.0
groups["I"].g_l_ns = 10.0
groups["I"].e_l_mv = -49.0
groups["I"].v_th_mv = -50.0
groups["I"].v_reset_mv = -60.0
groups["I"].i_e_pa = 0.0
groups["I"].v = "-60.0"
groups["I"].v = rng.uniform(-60.0, -50.0, 800)

# Projections: index arrays drawn here (numpy, seeded), delays axonal.
synapses = []
plastic = []
S = Synapses(groups["E"], groups["E"], model="wsyn : 1", on_pre="s_exc_post += wsyn", on_post=None, method="exact", name="syn0")
S.connect(p=0.02)
S.wsyn = 16.2
S.delay = clip(0.1, 0, inf)*ms
synapses.append(S)
S = Synapses(groups["E"], groups["I"], model="wsyn : 1", on_pre="s_exc_post += wsyn", on_post=None, method="exact", name="syn1")
S.connect(p=0.02)
S.wsyn = 16.2
S.delay = clip(0.1, 0, inf)*ms
synapses.append(S)
S = Synapses(groups["I"], groups["E"], model="wsyn : 1", on_pre="s_inh_post += wsyn", on_post=None, method="exact", name="syn2")
S.connect(p=0.02)
S.wsyn = -90.0
S.delay = clip(0.1, 0, inf)*ms
synapses.append(S)
S = Synapses(groups["I"], groups["I"], model="wsyn : 1", on_pre="s_inh_post += wsyn", on_post=None, method="exact", name="syn3")
S.connect(p=0.02)
S.wsyn = -90.0
S.delay = clip(0.1, 0, inf)*ms
synapses.append(S)

PRESET = "Bench: cuba (Vogels-Abbott current-based, 4000 LIF)"
SEED = 12345


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
