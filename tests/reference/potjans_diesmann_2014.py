#!/usr/bin/env python3
"""Potjans & Diesmann (2014) Cereb Cortex 24:785, the cortical microcircuit, from its published
parameters (the paper's Table 5 and NEST's PyNEST example `Potjans_2014/network_params.py`):
eight LIF populations (iaf_psc_exp: C 250 pF, tau_m 10 ms, E_L = V_reset = -65 mV, V_th -50
mV, t_ref 2 ms, exponential current synapses of 0.5 ms), the 8x8 connection probabilities drawn
as a fixed total number of synapses per pair of populations, K = ln(1 - C) / ln(1 - 1/(N_pre
N_post)), weights from a 0.15 mV PSP (normal, 10 % spread; inhibitory g = -4; L4E -> L2/3E
doubled), normal delays (E 1.5 +- 0.75 ms, I 0.75 +- 0.375 ms), Poisson background at 8 Hz from
K_ext sources, the example's optimised initial V per population. A scaled version keeps the
mean input as van Albada et al. (2015) do (PLoS Comput Biol 11:e1004490): in-degrees times
k_scale, weights over sqrt(k_scale), the lost mean input of the full-scale rates as DC.

Two uses, one parameter set:
- `presets` writes spikelab's presets (presets/networks/potjans_diesmann_2014.ron, full scale,
  and potjans_diesmann_2014_scaled.ron, 10 % of the neurons and of the in-degrees):
    python3 tests/reference/potjans_diesmann_2014.py presets
- `nest` builds the same model in NEST 3.10 directly (not from spikelab's files) and prints per
  population the mean rate, the mean CV of the intervals (cells with >= 3), the synchrony chi on
  2 ms bins and the quartiles of the single-cell rates, measured over [T0, T1) as spikelab's
  run summary measures them (analysis/regime.rs); build and simulation times and the peak
  memory go to stderr. The committed references were made with
    python3 -m venv /tmp/venv-nest && /tmp/venv-nest/bin/pip install nest-simulator==3.10.0 "numpy<2.4"
    PYNEST_QUIET=1 /tmp/venv-nest/bin/python tests/reference/potjans_diesmann_2014.py nest \\
        --scale 0.1 --seeds 1 2 3 4 5 --t1 5000 > tests/reference/potjans_diesmann_2014_scaled.csv
    PYNEST_QUIET=1 /tmp/venv-nest/bin/python tests/reference/potjans_diesmann_2014.py nest \\
        --scale 1 --seeds 1 2 3 --t1 1000 --threads 4 > tests/reference/potjans_diesmann_2014.csv
  (full scale: NEST needs 4 virtual processes for 0.3 billion synapses and about 15 GB).
"""
import argparse
import math
import os
import resource
import sys
import time

NAMES = ["L2/3E", "L2/3I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
N_FULL = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# Connection probabilities, [target][source].
CONN = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
# Mean rates of the full-scale model in NEST (the example's `full_mean_rates`): the DC that
# replaces the input a scaled network lacks.
FULL_RATES = [0.943, 3.026, 4.368, 5.882, 7.733, 8.664, 1.096, 7.851]
V0_MEAN = [-68.28, -63.16, -63.33, -63.45, -63.11, -61.66, -66.72, -61.43]
V0_SD = [5.36, 4.57, 4.74, 4.94, 4.94, 4.55, 5.46, 4.48]
C_M, TAU_M, TAU_SYN, E_L, V_TH, T_REF = 250.0, 10.0, 0.5, -65.0, -50.0, 2.0
PSP_E, W_REL_SD, G, BG_RATE = 0.15, 0.1, -4.0, 8.0
DELAY_E, DELAY_I, DELAY_REL_SD = 1.5, 0.75, 0.5
DT = 0.1
T0, BIN = 200.0, 2.0


def psc_per_psp():
    """The peak current (pA) of an exponential PSC whose PSP peaks at 1 mV."""
    sub = 1.0 / (TAU_SYN - TAU_M)
    pre = TAU_M * TAU_SYN / C_M * sub
    frac = (TAU_M / TAU_SYN) ** sub
    return 1.0 / (pre * (frac**TAU_M - frac**TAU_SYN))


def model(n_scale, k_scale):
    """Sizes, synapse counts, weights, delays, background and DC of the (scaled) model."""
    w_unit = PSP_E * psc_per_psp()
    sizes = [round(n * n_scale) for n in N_FULL]
    full_syn, weight, delay = {}, {}, {}
    for t in range(8):
        for s in range(8):
            p = CONN[t][s]
            prod = N_FULL[t] * N_FULL[s]
            full_syn[t, s] = math.log(1.0 - p) / math.log((prod - 1.0) / prod) if p > 0 else 0.0
            w = w_unit * (G if s % 2 else 1.0) * (2.0 if (t, s) == (0, 2) else 1.0)
            weight[t, s] = w
            delay[t, s] = DELAY_I if s % 2 else DELAY_E
    w_ext = w_unit
    dc = [0.0] * 8
    if k_scale != 1.0:
        # van Albada et al. (2015): the mean input the missing synapses carried, as DC.
        lost = 1.0 - math.sqrt(k_scale)
        for t in range(8):
            rec = sum(weight[t, s] * full_syn[t, s] / N_FULL[t] * FULL_RATES[s] for s in range(8))
            dc[t] = 0.001 * TAU_SYN * lost * (rec + w_ext * K_EXT[t] * BG_RATE)
        weight = {k: w / math.sqrt(k_scale) for k, w in weight.items()}
        w_ext /= math.sqrt(k_scale)
    synapses = {k: round(n * n_scale * k_scale) for k, n in full_syn.items()}
    k_ext = [round(k * k_scale) for k in K_EXT]
    return sizes, synapses, weight, delay, w_ext, k_ext, dc


def ron_float(x):
    return repr(round(x, 6))


def write_preset(path, n_scale, k_scale, name, description, duration_ms, window_ms):
    sizes, synapses, weight, delay, w_ext, k_ext, dc = model(n_scale, k_scale)
    g_l = C_M / TAU_M
    lines = [
        "(",
        "    version: 1,",
        f"    name: {name!r},".replace("'", '"'),
        f"    description: \"{description}\",",
        f"    run: (dt_ms: {DT}, duration_ms: {duration_ms}, integrator: Exact, spike_timing: Grid, seed: 1, record_every: 1, threads: 2),",
        f"    view: (window_ms: {window_ms}, speed: Max, show_hidden: true, at_end: Pause),",
        "    network: (",
        "        populations: [",
    ]
    for i, pop in enumerate(NAMES):
        role = "Inhibitory" if i % 2 else "Excitatory"
        lines += [
            "            (",
            f'                name: "{pop}",',
            f"                size: {sizes[i]},",
            f"                role: {role},",
            f"                neuron: Lif(c_pf: {C_M}, g_l_ns: {g_l}, e_l_mv: {E_L}, v_th_mv: {V_TH}, v_reset_mv: {E_L}, t_ref_ms: {T_REF}, v0_mv: {E_L}),",
            f'                initial: {{"v": Normal(mean: {V0_MEAN[i]}, sd: {V0_SD[i]})}},',
            f'                synapses: {{"psc": (kernel: Exponential(tau_ms: {TAU_SYN}))}},',
            "            ),",
        ]
    lines += ["        ],", "        projections: ["]
    for t in range(8):
        for s in range(8):
            n = synapses[t, s]
            if n == 0:
                continue
            w, d = weight[t, s], delay[t, s]
            lines.append(
                f'            (from: "{NAMES[s]}", to: "{NAMES[t]}", synapse: "psc", rule: FixedTotalNumber(n: {n}), '
                f"weight: Normal(mean: {ron_float(w)}, sd: {ron_float(abs(w) * W_REL_SD)}), "
                f"delay_ms: Normal(mean: {d}, sd: {d * DELAY_REL_SD}), autapses: true, multapses: true),"
            )
    lines += ["        ],", "        inputs: ["]
    for i, pop in enumerate(NAMES):
        parts = [
            f"Spikes(source: Poisson(rate_hz: {BG_RATE * k_ext[i]:.1f}, start_ms: 0.0, duration_ms: 1e9), "
            f"kernel: Exponential(tau_ms: {TAU_SYN}), weight: {ron_float(w_ext)}, seed: {i + 1})"
        ]
        if dc[i] != 0.0:
            parts.append(f"Dc(amplitude: {ron_float(dc[i])})")
        lines.append(f'            (population: "{pop}", stimulus: (components: [{", ".join(parts)}])),')
    lines += ["        ],", "        record: [0],", "    ),", ")"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    total = sum(synapses.values())
    print(f"{path}: {sum(sizes)} neurons, {total} synapses", file=sys.stderr)


def presets(root):
    common = (
        "Eight populations of leaky integrate-and-fire cells (C 250 pF, tau_m 10 ms, rest = reset -65 mV, threshold -50 mV, "
        "2 ms refractory, exponential current synapses of 0.5 ms, exact integration) in layers 2/3, 4, 5 and 6, E and I in each; "
        "the paper's connection probabilities drawn as a fixed total number of synapses per pair of populations "
        "(K = ln(1 - C) / ln(1 - 1/(N_pre N_post)), multapses and autapses), weights from a 0.15 mV PSP (87.8 pA, normal with "
        "10 % spread, inhibition g = -4, L4E to L2/3E doubled), normal delays (E 1.5 +- 0.75 ms, I 0.75 +- 0.375 ms, at least "
        "one step), Poisson background at 8 Hz from 1,500-2,900 sources per cell, the start potentials NEST's example uses. "
        "What to look for: the populations settle into asynchronous irregular firing at rates that differ by layer and type, "
        "as in vivo: L2/3E and L6E nearly silent (about 1 Hz), L4E about 4 Hz, L5E the most active excitatory population "
        "(about 8 Hz), inhibitory cells faster than the excitatory cells of their layer. The raster is ordered by layer; the "
        "Activity view's box plot of single-cell rates per population is the paper's Fig. 6. "
        "Made by tests/reference/potjans_diesmann_2014.py from the published parameters; NEST's rates and CVs of the same model "
        "are in tests/reference/potjans_diesmann_2014*.csv."
    )
    write_preset(
        os.path.join(root, "potjans_diesmann_2014.ron"), 1.0, 1.0,
        "Potjans & Diesmann 2014: the cortical microcircuit (full scale)",
        "The model of a square millimetre of early sensory cortex of Potjans TC & Diesmann M (2014) Cereb Cortex 24:785 at "
        "full size: 77,169 neurons and 0.3 billion synapses (3 GB here; the size check tells you if it does not fit). "
        + common + " Heavy: about 10 s to build and 40 s per simulated second on two threads (BENCHMARKS.md); its tenth, "
        "potjans_diesmann_2014_scaled, runs live.",
        1000.0, 200.0,
    )
    write_preset(
        os.path.join(root, "potjans_diesmann_2014_scaled.ron"), 0.1, 0.1,
        "Potjans & Diesmann 2014: the cortical microcircuit at 10 %",
        "The model of a square millimetre of early sensory cortex of Potjans TC & Diesmann M (2014) Cereb Cortex 24:785 with "
        "10 % of its neurons (7,717) and 10 % of each cell's synapses (3 million in all), scaled as van Albada et al. (2015) "
        "PLoS Comput Biol 11:e1004490 and NEST's example do: weights times 1/sqrt(0.1) keep the input's fluctuations, and a DC "
        "current per population replaces the mean input of the missing synapses at the full model's rates. "
        + common,
        2000.0, 500.0,
    )


def measure(times, senders, first, n, t1):
    import numpy as np

    keep = (times >= T0) & (times < t1) & (senders >= first) & (senders < first + n)
    times, senders = times[keep], senders[keep] - first
    span = (t1 - T0) * 1e-3
    counts = np.bincount(senders, minlength=n)
    rates = counts / span
    order = np.lexsort((times, senders))
    times, senders = times[order], senders[order]
    cvs = []
    starts = np.searchsorted(senders, np.arange(n + 1))
    for i in range(n):
        isi = np.diff(times[starts[i]:starts[i + 1]])
        if len(isi) >= 3 and isi.mean() > 0:
            cvs.append(isi.std(ddof=1) / isi.mean())
    nbins = int((t1 - T0) / BIN)
    b = np.minimum(((times - T0) / BIN).astype(int), nbins - 1)
    pop = np.bincount(b, minlength=nbins).astype(float)
    var_pop = np.var(pop / n)
    per_bin = np.unique(senders.astype(np.int64) * nbins + b, return_counts=True)[1].astype(float)
    var_single = (np.sum(per_bin**2) / nbins - np.sum(counts.astype(float) ** 2) / nbins**2) / n
    chi = min(math.sqrt(var_pop / var_single), 1.0) if var_single > 0 else 0.0
    q1, med, q3 = np.percentile(rates, [25, 50, 75])
    return rates.mean(), (np.mean(cvs) if cvs else float("nan")), chi, q1, med, q3


def run_nest(scale, seed, t1, threads):
    import nest
    import numpy as np

    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.WARNING
    nest.set(resolution=DT, rng_seed=seed, local_num_threads=threads, print_time=False)
    sizes, synapses, weight, delay, w_ext, k_ext, dc = model(scale, scale)
    start = time.time()
    pops = []
    for i in range(8):
        pop = nest.Create("iaf_psc_exp", sizes[i], params={
            "C_m": C_M, "tau_m": TAU_M, "E_L": E_L, "V_th": V_TH, "V_reset": E_L, "t_ref": T_REF,
            "tau_syn_ex": TAU_SYN, "tau_syn_in": TAU_SYN, "I_e": dc[i]})
        pop.V_m = nest.random.normal(mean=V0_MEAN[i], std=V0_SD[i])
        pops.append(pop)
    recorder = nest.Create("spike_recorder")
    for t in range(8):
        for s in range(8):
            if synapses[t, s] == 0:
                continue
            w, d = weight[t, s], delay[t, s]
            wmin, wmax = (-np.inf, 0.0) if w < 0 else (0.0, np.inf)
            nest.Connect(pops[s], pops[t], {"rule": "fixed_total_number", "N": synapses[t, s]}, {
                "synapse_model": "static_synapse",
                "weight": nest.math.redraw(nest.random.normal(mean=w, std=abs(w) * W_REL_SD), min=wmin, max=wmax),
                "delay": nest.math.redraw(nest.random.normal(mean=d, std=d * DELAY_REL_SD), min=DT, max=np.inf)})
        bg = nest.Create("poisson_generator", params={"rate": BG_RATE * k_ext[t]})
        nest.Connect(bg, pops[t], "all_to_all", {"weight": w_ext, "delay": 1.5})
        nest.Connect(pops[t], recorder)
    nest.Prepare()
    nest.Cleanup()
    built = time.time()
    nest.Simulate(t1)
    simulated = time.time()
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"scale {scale} seed {seed}: build {built - start:.1f} s, simulate {t1:.0f} ms in {simulated - built:.1f} s, "
          f"{nest.num_connections} connections, peak {peak_gb:.2f} GB", file=sys.stderr)
    events = recorder.events
    times, senders = np.asarray(events["times"]), np.asarray(events["senders"]).astype(np.int64)
    rows, first = [], 1  # NEST's node ids start at 1, in creation order
    for i in range(8):
        rows.append((NAMES[i],) + measure(times, senders, first, sizes[i], t1))
        first += sizes[i]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("presets")
    p.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", "..", "presets", "networks"))
    n = sub.add_parser("nest")
    n.add_argument("--scale", type=float, default=0.1)
    n.add_argument("--seeds", type=int, nargs="+", default=[1])
    n.add_argument("--t1", type=float, default=1000.0)
    n.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if args.what == "presets":
        presets(os.path.normpath(args.root))
        return
    print(f"# {os.path.basename(__file__)} nest --scale {args.scale} --seeds {' '.join(map(str, args.seeds))} "
          f"--t1 {args.t1:g} --threads {args.threads}; measured over [{T0:g}, {args.t1:g}) ms")
    print("seed,population,rate_hz,cv_isi,synchrony,rate_q1,rate_median,rate_q3")
    for seed in args.seeds:
        for row in run_nest(args.scale, seed, args.t1, args.threads):
            print(f"{seed},{row[0]}," + ",".join(f"{x:.4f}" for x in row[1:]))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
