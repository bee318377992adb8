#!/usr/bin/env python3
"""Exported networks run in NEST and Brian2 and agree with spikelab's own runs.

usage: tests/export_check.py --bin target/debug/spikelab --python VENV/bin/python [--work DIR] [--only TEXT]

Each case exports a bundled preset with `spikelab export --to nest|brian2`, runs the script with
the venv's NEST or Brian2 (runtime mode), runs the preset with `spikelab run`, prints
`spikelab compare`, and checks:
- deterministic single neurons: the same spikes (to the step where NEST puts spikes on its grid
  and spikelab inside the step; the squid axon's peak comes a fraction of a ms after the
  upward crossing spikelab counts);
- networks: each population's mean rate over seeds 1-3 in NEST against the same in spikelab,
  within 3 standard errors of the difference (from the spread over seeds on both sides: a
  random network's rate varies from one draw of its synapses to the next) and never tighter
  than 3 %.
Exits 1 on the first disagreement.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--bin", required=True)
parser.add_argument("--python", required=True)
parser.add_argument("--work", default="/tmp/spikelab-export-check")
parser.add_argument("--only", default="", help="run only the cases whose preset contains this text")
args = parser.parse_args()
os.makedirs(args.work, exist_ok=True)


def spikelab(*argv):
    subprocess.run([args.bin, *argv], check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def exported(target, preset, name, sets, seed=None):
    tag = ("" if seed is None else f"-{seed}") + "-" + target
    script = os.path.join(args.work, name + tag + ".py")
    spikelab("export", preset, "--to", target, "--out", script, *sets, *([] if seed is None else ["--seed", str(seed)]))
    out = os.path.join(args.work, name + tag)
    env = dict(os.environ, PYNEST_QUIET="1", OMP_NUM_THREADS="1")
    subprocess.run([args.python, script, "--out", out], check=True, stdout=subprocess.PIPE, env=env)
    return out


def ours(preset, name, sets, seed=None):
    out = os.path.join(args.work, name + ("-spikelab" if seed is None else f"-spikelab-{seed}"))
    spikelab("run", preset, "--out", out, *sets, *([] if seed is None else ["--seed", str(seed)]))
    return out


def spikes(out):
    with open(os.path.join(out, "spikes.csv")) as f:
        next(f)
        return [(float(t), int(n)) for t, n in (line.split(",") for line in f)]


def summary(out):
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def show(a, b):
    table = subprocess.run([args.bin, "compare", a, b], check=True, stdout=subprocess.PIPE, text=True).stdout
    print(table, end="")


def fail(message):
    print("export check: FAILED:", message)
    sys.exit(1)


def skipped(preset):
    return args.only not in preset


def same_spikes(target, preset, sets, lag):
    """Spike for spike: the target's each within [lo, hi] ms of ours."""
    if skipped(preset):
        return
    name = os.path.basename(preset).replace(".ron", "") if preset.endswith(".ron") else preset.replace("/", "_")
    a, b = ours(preset, name, sets), exported(target, preset, name, sets)
    show(a, b)
    x, y = spikes(a), spikes(b)
    if len(x) != len(y):
        fail(f"{preset}: {len(x)} spikes here, {len(y)} in {target}")
    worst = max((abs(t1 - t0 - (lag[0] + lag[1]) / 2) for (t0, _), (t1, _) in zip(x, y)), default=0.0)
    if worst > (lag[1] - lag[0]) / 2 + 1e-9:
        fail(f"{preset}: a spike {worst:.4f} ms from its window {lag} of {target} minus spikelab")
    print(f"ok {target} {preset}: {len(x)} spikes, {target} minus spikelab within {lag} ms")


def same_rates(target, preset, sets, seeds=(1, 2, 3), active_hz=0.0):
    """Mean rates over seeds agree. A bistable network (COBA's activity persists or dies out,
    by the draw) is compared on the runs whose activity lasted (rate >= active_hz), which must
    be at least two on each side."""
    if skipped(preset):
        return
    name = preset.replace("/", "_")
    theirs = [exported(target, preset, name, sets, seed) for seed in seeds]
    runs = [ours(preset, name, sets, seed) for seed in seeds]
    show(runs[0], theirs[0])
    lasted = lambda out: sum(summary(out)["spike_counts"].values()) >= active_hz * summary(out)["simulated_ms"] / 1000.0 * sum(p["size"] for p in summary(out)["populations"])
    runs, theirs = [r for r in runs if lasted(r)], [r for r in theirs if lasted(r)]
    if min(len(runs), len(theirs)) < 2:
        fail(f"{preset}: activity lasted in {len(runs)} of spikelab's and {len(theirs)} of {target}'s runs over seeds {seeds}")
    for pop in summary(theirs[0])["populations"]:
        p = pop["name"]
        a = [summary(r)["rates_hz"][p] for r in runs]
        b = [summary(r)["rates_hz"][p] for r in theirs]
        se = (statistics.variance(a) / len(a) + statistics.variance(b) / len(b)) ** 0.5
        tolerance = max(3 * se, 0.03 * statistics.mean(a))
        diff = statistics.mean(b) - statistics.mean(a)
        line = f"{target} {preset} {p}: {statistics.mean(b):.3f} Hz over {len(b)} runs, spikelab {statistics.mean(a):.3f} Hz over {len(a)} (tolerance {tolerance:.3f})"
        if abs(diff) > tolerance:
            fail(line)
        print("ok", line)


def same_weights(target, preset, sets, tolerance):
    """Plastic weights equal to `tolerance` (a deterministic pairing protocol)."""
    if skipped(preset):
        return
    name = preset.replace("/", "_")
    a, b = ours(preset, name, sets), exported(target, preset, name, sets)
    read = lambda out: [line.strip().split(",") for line in open(os.path.join(out, "weights_final.csv")).readlines()[1:]]
    x, y = read(a), read(b)
    if [r[:2] for r in x] != [r[:2] for r in y]:
        fail(f"{preset}: different synapses")
    worst = max(abs(float(r[2]) - float(q[2])) for r, q in zip(x, y))
    if worst > tolerance:
        fail(f"{preset}: a final weight differs by {worst:.3g} in {target}")
    print(f"ok {target} {preset}: final weights equal to {worst:.1e} (of {len(x)})")


exact_lif = ["--set", "run.spike_timing=Grid", "--set", "run.integrator=Exact"]
grid = ["--set", "run.spike_timing=Grid"]
same_spikes("nest", "basics/lif_std", exact_lif, (-1e-9, 1e-9))
same_spikes("nest", "adex-naud-2008/adapting", [], (-0.1, 0.1))
same_spikes("nest", "hodgkin-huxley/repetitive_firing", [], (0.0, 0.5))
same_rates("nest", "bench/cuba", [])
same_rates("nest", "networks/coba", ["--duration-ms", "200"], seeds=(1, 2, 3, 4, 5, 6), active_hz=5.0)
same_rates("nest", "networks/brunel_ai", ["--duration-ms", "300"])
same_rates("nest", "networks/izhikevich_2003", [])
same_spikes("brian2", "basics/lif_std", exact_lif, (-1e-9, 1e-9))
same_spikes("brian2", "adex-naud-2008/adapting", [], (-0.1, 0.3))
same_spikes("brian2", "bench/hh", ["--duration-ms", "50"], (-1e-9, 1e-9))
same_weights("brian2", "plasticity/pairing_additive", grid, 1e-6)
same_weights("brian2", "plasticity/pairing_weight_dependent", grid, 1e-6)
same_rates("brian2", "networks/izhikevich_2003", [])
same_rates("brian2", "networks/poisson_feedforward", [])
# One cell per model and synapse kind, spike for spike (tests/export_cells: listed input spikes,
# spikes on the grid on both sides, dt = 0.01 ms). Each input is held over a step here and
# continuous in NEST, and NEST's aeif models step adaptively inside each step: a spike after a
# slow approach to threshold moves most (0.15 ms for AdEx, 0.03 ms for LIF at most, measured).
cells = os.path.join(os.path.dirname(os.path.abspath(__file__)), "export_cells")
for cell in sorted(c for c in os.listdir(cells) if c.endswith(".ron")):
    same_spikes("nest", os.path.join(cells, cell), [], (-0.2, 0.2) if cell.startswith("adex") else (-0.05, 0.05))
same_rates("nest", "networks/adex_ei", [])
# A fixed total number of synapses (NEST's fixed_total_number, Brian2's index arrays drawn in the
# script): Brunel's network and the Izhikevich network with each projection's synapses drawn as
# independent pairs, as many as before.
def fixed_total(counts):
    sets = []
    for k, n in enumerate(counts):
        sets += ["--set", f"network.projections.{k}.multapses=true",
                 "--set", f'network.projections.{k}.rule={{"FixedTotalNumber":{{"n":{n}}}}}']
    return sets
same_rates("nest", "networks/brunel_ai", ["--duration-ms", "300"] + fixed_total([10_000_000, 2_500_000, 2_500_000, 625_000]))
same_rates("brian2", "networks/izhikevich_2003", fixed_total([640_000, 160_000, 160_000, 40_000]))
same_rates("brian2", "networks/adex_ei", [])
# Potjans & Diesmann's microcircuit at 10 %: eight populations, fixed total numbers, normal
# weights and delays, Poisson background and DC.
same_rates("nest", "networks/potjans_diesmann_2014_scaled", ["--duration-ms", "1000"])
print("export check: ok")
