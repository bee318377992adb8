#!/usr/bin/env python3
"""Pairing protocol, triplet STDP: 60 pairings at 1 Hz, pre 10 ms before post: exported by spikelab 0.1.0 for Brian2 2.x.

Builds the preset's network with its equations written out in spikelab's units (as
dimensionless numbers, time in ms), runs it for 60000.0 ms at dt = 0.1 ms (seed 1), and
writes, in --out (default: this folder), spikes.csv (t_ms,neuron: global indices in the
preset's order), summary.json and, for plastic synapses, weights_final.csv, as `spikelab
run` does; `spikelab compare DIR_A DIR_B` sets the runs side by side.

python3 script.py                         # runtime mode (numpy, no compiler)
python3 script.py --standalone --threads 8  # C++ standalone with 8 OpenMP threads

Brian2 stamps a spike at the start of the step it is detected in; spikelab's grid
timing at its end: times here are shifted by one step to match.

Approximations:
- Brian2 puts spikes on the step grid; the preset locates them inside the step (spike_timing: Interpolated).
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
DURATION_MS = 60000.0
defaultclock.dt = 0.1 * ms
seed(1)
rng = numpy.random.default_rng(1)
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
_times = numpy.array([100.0, 1100.0, 2100.0, 3100.0, 4100.0, 5100.0, 6100.0, 7100.0, 8100.0, 9100.0, 10100.0, 11100.0, 12100.0, 13100.0, 14100.0, 15100.0, 16100.0, 17100.0, 18100.0, 19100.0, 20100.0, 21100.0, 22100.0, 23100.0, 24100.0, 25100.0, 26100.0, 27100.0, 28100.0, 29100.0, 30100.0, 31100.0, 32100.0, 33100.0, 34100.0, 35100.0, 36100.0, 37100.0, 38100.0, 39100.0, 40100.0, 41100.0, 42100.0, 43100.0, 44100.0, 45100.0, 46100.0, 47100.0, 48100.0, 49100.0, 50100.0, 51100.0, 52100.0, 53100.0, 54100.0, 55100.0, 56100.0, 57100.0, 58100.0, 59100.0])
groups["pre"] = SpikeGeneratorGroup(1, numpy.repeat(numpy.arange(1), len(_times)), numpy.tile(_times, 1)*ms, name="src_pre")
groups["post"] = NeuronGroup(1, "dv/dt = (-g_l_ns*(v - e_l_mv) + i_e_pa + I)/c_pf/ms : 1 (unless refractory)\nds_s/dt = -s_s/(5.0)/ms : 1\nq_in : 1\nmask0 : 1 (constant)\nI = s_s + q_in/(dt/ms) + stim0(t)*mask0 : 1\ntheta : 1\nc_pf : 1 (constant)\ng_l_ns : 1 (constant)\ne_l_mv : 1 (constant)\nv_th_mv : 1 (constant)\nv_reset_mv : 1 (constant)\ni_e_pa : 1 (constant)", threshold="v >= v_th_mv + theta", reset="v = v_reset_mv", refractory=(2.0 + 0.1)*ms, method="exponential_euler", name="pop1")
lags["post"] = 0.1
groups["post"].run_regularly("q_in = 0", when="after_groups")
groups["post"].c_pf = 200.0
groups["post"].g_l_ns = 10.0
groups["post"].e_l_mv = -70.0
groups["post"].v_th_mv = -50.0
groups["post"].v_reset_mv = -65.0
groups["post"].i_e_pa = 0.0
groups["post"].v = "-70.0"

# Projections: index arrays drawn here (numpy, seeded), delays axonal.
synapses = []
plastic = []
S = Synapses(groups["pre"], groups["post"], model="wsyn : 1\ndr1/dt = -r1/(16.8)/ms : 1 (event-driven)\ndr2/dt = -r2/(101.0)/ms : 1 (event-driven)\ndo1/dt = -o1/(33.7)/ms : 1 (event-driven)\ndo2/dt = -o2/(125.0)/ms : 1 (event-driven)", on_pre="s_s_post += wsyn\nwsyn = clip(wsyn - 1.0*o1*(0.007 + 0.00023*r2), 0, 1.0)\nr1 += 1\nr2 += 1", on_post="wsyn = clip(wsyn + 1.0*r1*(5.0e-10 + 0.0062*o2), 0, 1.0)\no1 += 1\no2 += 1", method="exact", name="syn0")
S.connect(j="i")
S.wsyn = 0.5
S.delay = clip(1.0, 0, inf)*ms
synapses.append(S)
S.post.delay = defaultclock.dt
plastic.append(S)
groups["post"].mask0 = 1.0
stim0 = TimedArray(numpy.repeat(numpy.array([0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0, 20000.0, 0.0]), [1108, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 9995, 5, 8888]), dt=0.1*ms)

PRESET = "Pairing protocol, triplet STDP: 60 pairings at 1 Hz, pre 10 ms before post"
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
